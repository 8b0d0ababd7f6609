"""An app whose every route needs digest authentication (seed 004 "Authentication On Entire App")."""

from atila import Atila

app = Atila(__name__)
app.authenticate = "digest"
app.realm = "Partner App Area of"
app.users = {"app": ("iamyourpartnerapp", 0, {"role": "root"})}


@app.password_provider
def provider(context, username):
    if username == "provided":
        return ("from-provider", False, {"role": "guest"})
    return app.users.get(username)


@app.route("/hello/<name>")
def hello(context, name="Hans Roh"):
    return {"hello": name, "user": context.request.user.name, "info": context.request.user.info}
