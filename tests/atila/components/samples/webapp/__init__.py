"""A small hooks-based Atila app using events, templates and maintenance jobs."""

import threading


def __config__(pref):
    pref.config.MAINTAIN_INTERVAL = 0.02


def __app__():
    from atila.app import Atila

    return Atila(__name__)


def __setup__(context, app):
    app.g["seen"] = []
    app.g["ticks"] = threading.Event()

    @app.on("before_request")
    def on_before_request(context):
        app.g["seen"].append("before_request")

    @app.on("photo-updated")
    def on_photo_updated(context, who):
        app.g["seen"].append(f"photo-updated:{who}")

    @app.maintain(1)
    def tick(context, now, count):
        app.g["seen"].append(f"tick:{count}")
        app.g["ticks"].set()

    @app.template_global("arg_names")
    def arg_names(context):
        return ",".join(sorted(context.request.args.keys()))

    @app.template_filter("reverse")
    def reverse(s):
        return s[::-1]


def __mount__(context, app):
    @app.route("/hello")
    def hello(context, name="World"):
        return context.render("hello.html", name=name)

    @app.route("/users", methods=["POST"])
    @app.emit_after("photo-updated", "users")
    def users(context):
        return "OK"

    @app.route("/boom")
    def boom(context):
        raise ValueError("boom")

    @app.route("/seen")
    def seen(context):
        return context.API(seen=app.g["seen"], ticked=app.g["ticks"].wait(5))
