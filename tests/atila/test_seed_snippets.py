"""The seeds' snippets (seed 001 ``001_*``, seed 004 ``004_*``), run as written
against an in-process app: routing, parameters, context members, responses,
errors, hooks, events, templates, cookies, sessions, mbox, CSRF, JWT, OTP, OTT,
authentication, permissions, CORS and the test client.

Only obvious typos are fixed (``__mame__``, ``@app_inspect``, ``reutrn``,
``prems``, missing colons); each test names the seed section it follows.
"""

from __future__ import annotations

import re
import textwrap
import time

import pytest

import atila
from atila import Atila

SECUREKEY = "ds8fdsflksdjf9879dsf;?<>Asda"


@pytest.fixture
def home(tmp_path):
    (tmp_path / "templates").mkdir()
    (tmp_path / "static").mkdir()
    return tmp_path


@pytest.fixture
def make_app(home):
    """``make_app(templates={...})`` -> a fresh app whose home is ``home``."""

    def make(templates=None, **settings):
        for name, source in (templates or {}).items():
            path = home / "templates" / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(textwrap.dedent(source))
        app = Atila(__name__, **settings)
        app.home = str(home)
        app.securekey = SECUREKEY
        return app

    return make


# == seed 001 ========================================================================
def test_001_hello_world_serve_py(make_app):
    app = make_app()

    @app.route("/")
    def index(was):
        return "Hello, World"

    with app.test_client("/", approot=".") as cli:
        assert cli.get("/").text == "Hello, World"


def write_tree(root, files):
    for relative, source in files.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(source))


@pytest.mark.process
def test_001_launch_script_cascaded_mounts_and_multiple_apps(home):
    """Seed 001 "First App", "Cascaded Service Mount", "Other Hooks" and "Working
    With Multiple Apps", over a real server started from the launch script."""
    import skitai
    from skitai.testing.client import free_port

    write_tree(
        home,
        {
            "serve.py": """
            import skitai
            import myapp
            import tfserver

            if __name__ == '__main__':
                with skitai.preference () as pref:
                    skitai.mount ('/tf', tfserver, pref, name = 'tfserver')
                with skitai.preference () as pref:
                    skitai.mount ('/', myapp, pref, subscribe = ['tfserver'])
        """,
            "tfserver/__init__.py": """
            from atila import Atila

            def __app__ ():
                return Atila (__name__)

            def __mount__ (app, mntopt):
                @app.route ('/')
                def index (was):
                    was.g ['LOADED_MODELS'] = ['a', 'b']
                    app.emit ('model-reloaded', 'mymodel')
                    return 'loaded'
        """,
            "myapp/__init__.py": """
            import skitai
            from atila import Atila

            def __config__ (pref):
                pref.set_static ('/', skitai.abspath ('myapp/static'))

            def __app__ ():
                return Atila (__name__)

            def __setup__ (app, mntopt):
                from . import services
                app.mount ('/', services)

                @app.on ('tfserver:model-reloaded')
                def on_tfserver_model_reloaded (was, model_name):
                    app.store ['reloaded'] = model_name
        """,
            "myapp/static/logo.txt": "logo",
            "myapp/services/__init__.py": """
            def __setup__ (app, mntopt):
                from . import sub
                from . import sub2

                app.mount ('/sub', sub)
                app.mount ('/sub2', sub2)

            def __mount__ (app, mntopt):
                @app.route ('/')
                def index (was):
                    return 'Index Page'

                @app.route ('/models')
                def models (was):
                    other_app = was.apps ['tfserver']
                    loaded = '|'.join (was.g ['LOADED_MODELS'])
                    return loaded + ' ' + other_app.name + ' ' + app.store.get ('reloaded', '-')
        """,
            "myapp/services/sub.py": """
            def __mount__ (app, mntopt):
                # make sure blank path for accessing '/sub'
                @app.route ('')
                def sub (was):
                    return 'Sub Page'
        """,
            "myapp/services/sub2/__init__.py": """
            def __setup__ (app, mntopt):
                from . import pages
                app.mount ("/sub2/pages", pages)
        """,
            "myapp/services/sub2/pages.py": """
            def __mount__ (app, mntopt):
                @app.route ('') # /sub2/pages
                def pages (was):
                    return 'Pages'

                @app.route ('/1') # /sub2/pages/1
                def page1 (was):
                    return 'Page1'

            def __umount__ (app): # NO mntopt argument
                print ('bye...')
        """,
        },
    )
    with skitai.test_client(str(home / "serve.py"), port=free_port()) as cli:
        assert cli.get("/").text == "Index Page"
        assert cli.get("/sub").text == "Sub Page"
        assert cli.get("/sub2/pages").text == "Pages"
        assert cli.get("/sub2/pages/1").text == "Page1"
        assert cli.get("/logo.txt").text == "logo"
        assert cli.get("/tf/").text == "loaded"
        assert cli.get("/models").text == "a|b tfserver mymodel"


def test_001_more_about_preference_reaches_app_config(package, home):
    import skitai
    from atila.testing import AppTestClient

    app_module = package(
        "prefapp",
        {
            "__init__.py": """
        from atila import Atila

        def __app__ ():
            return Atila (__name__)

        def __mount__ (app, mntopt):
            @app.route ('/config')
            def config (was):
                return was.API (size = app.config.MAX_UPLOAD_SIZE, interval = app.config ["MAINTAIN_INTERVAL"])
    """
        },
    )
    with skitai.preference() as pref:
        pref.set_static("/static", str(home / "static"))
        pref.config.MAX_UPLOAD_SIZE = 256 * 1024 * 1024
        pref.config.MAINTAIN_INTERVAL = 60
    with AppTestClient(app_module, "/", approot=str(home), pref=pref) as cli:
        assert cli.get("/config").json() == {"size": 256 * 1024 * 1024, "interval": 60}


def test_001_event_bus_custom_event_and_life_cycle(make_app):
    app = make_app()
    got = []

    @app.on("custom-event")
    def on_cusom_event(was, detail=None):
        got.append("I got custom-event with detail: {}".format(detail))  # noqa: UP032 - seed snippet as written

    @app.on("before_mount")
    def on_before_mount(was):
        got.append("before_mount")

    @app.route("/make_event")
    def make_event(was):
        app.emit("custom-event")
        return "OK"

    with app.test_client("/", approot=".") as cli:
        assert cli.get("/make_event").text == "OK"
    assert got == ["before_mount", "I got custom-event with detail: None"]


def test_001_request_life_cycle_hooks_and_globals(make_app):
    app = make_app()
    logged = []

    @app.on("before_mount")
    def on_before_mount(was):
        app.g["TOTAL_REQUEST"] = 0
        app.g["FAILED_REQUEST"] = 0

    @app.before_request
    def before_request(was):
        app.g["TOTAL_REQUEST"] += 1
        was.request.g["START"] = time.time()

    @app.failed_request
    def failed_request(was, expt):  # expt is sys.exc_info ()
        app.g["FAILED_REQUEST"] += 1

    @app.teardown_request
    def teardown_request(was):
        was.log("processing time: {:.5f} seconds.".format(time.time() - was.request.g["START"]))
        logged.append(was.request.uri)

    @app.route("/ok")
    def ok(was):
        return "ok"

    @app.route("/fail")
    def fail(was):
        raise ValueError("bad")

    with app.test_client("/", approot=".") as cli:
        assert cli.get("/ok").status_code == 200
        assert cli.get("/fail").status_code == 500
    assert (app.g["TOTAL_REQUEST"], app.g["FAILED_REQUEST"]) == (2, 1)
    assert logged == ["/ok", "/fail"]


def test_001_composed_middlewares_raise_was_error(make_app):
    app = make_app()

    def something_is_wrong():
        return True

    class JWTTokenChecker:
        def __call__(self, was):
            if something_is_wrong():
                raise was.Error("400 Bad Request")

    MIDDLEWARES = [JWTTokenChecker()]

    @app.before_request
    def before_request(was):
        for middleware in MIDDLEWARES:
            middleware(was)

    @app.route("/")
    def index(was):
        return "never"

    with app.test_client("/", approot=".") as cli:
        assert cli.get("/").status_code == 400


def test_001_request_life_cycle_events(make_app):
    app = make_app()
    app.g["TOTAL_REQUEST"] = 0

    @app.on("before_request")
    def on_before_request(was):
        app.g["TOTAL_REQUEST"] += 1

    @app.route("/")
    def index(was):
        return "ok"

    with app.test_client("/", approot=".") as cli:
        cli.get("/")
        cli.get("/")
    assert app.g["TOTAL_REQUEST"] == 2


def test_001_request_object_members(make_app):
    app = make_app()

    @app.route("/info", methods=["POST"])
    def info(was, **DATA):
        request = was.request
        return was.API(
            method=request.method,
            uri=request.uri,
            version=request.version,
            scheme=request.scheme,
            args=dict(request.ARGS),
            split=list(request.split_uri()),
            ctype=request.get_header("content-type"),
            headers=len(request.get_headers()) > 0,
            body=request.get_body().decode(),
            remote=request.get_remote_addr(),
            agent=request.get_user_agent(),
            content_type=request.get_content_type(),
            main=request.get_main_type(),
            sub=request.get_sub_type(),
            routed=request.routed.__name__,
            methods=request.routable["methods"],
            env_agent=was.env.get("HTTP_USER_AGENT", "Unknown Agent"),
        )

    with app.test_client("/", approot=".") as cli:
        data = cli.post("/info?x=1", json={"a": 2}, headers={"User-Agent": "seed"}).json()
    assert data["method"] == "POST" and data["uri"] == "/info?x=1"
    assert data["version"] == "1.1" and data["scheme"] == "http"
    assert data["args"] == {"x": "1", "a": 2}
    assert data["split"][0] == "/info" and data["split"][2] == "?x=1"
    assert data["ctype"] == data["content_type"] == "application/json"
    assert (data["main"], data["sub"]) == ("application", "json")
    assert data["body"] == '{"a":2}' or data["body"].replace(" ", "") == '{"a":2}'
    assert data["remote"] == "127.0.0.1" and data["agent"] == data["env_agent"] == "seed"
    assert data["routed"] == "info" and "POST" in data["methods"]


def test_001_routing_restrictions(make_app):
    app = make_app()

    @app.route("/hello", methods=["GET"])  # if not match response 405
    def hello_world(was):
        return "hello"

    @app.route("/json", content_types=["application/json"])
    def json_only(was, **DATA):
        return "json"

    with app.test_client("/", approot=".") as cli:
        assert cli.get("/hello").text == "hello"
        assert cli.post("/hello").status_code == 405
        assert cli.post("/json", json={}).text == "json"
        assert cli.post("/json", data={"a": "1"}).status_code in (406, 415)


def test_001_request_parameters(make_app):
    app = make_app(
        {
            "hello.j2": "{{ name }} {{ birth_year }} {{ gender }}",
            "hello2.j2": "{{ name }} {{ DATA | tojson }}",
            "profile.j2": "{{ id }} {{ detail }}",
        }
    )

    @app.route("/hello", methods=["POST", "OPTIONS"])
    def hello_world(was, name, birth_year, gender=None):
        return was.render("hello.j2", name=name, birth_year=birth_year, gender=gender)

    @app.route("/hello2", methods=["POST", "OPTIONS"])
    def hello_world2(was, name, **DATA):
        return was.render("hello2.j2", name=name, DATA=DATA)

    @app.route("/profiles/<int:id>", methods=["GET"])
    def profile(was, id=None, detail="yes"):
        return was.render("profile.j2", id=id, detail=detail)

    with app.test_client("/", approot=".") as cli:
        assert cli.post("/hello", data={"name": "Hans", "birth_year": "1990"}).text == "Hans 1990 None"
        assert cli.post("/hello", data={"name": "Hans"}).status_code == 400
        assert cli.post("/hello2", data={"name": "Hans", "x": "1"}).text == 'Hans {"x": "1"}'
        assert cli.get("/profiles/123?detail=no").text == "123 no"
        for special in ("me", "notme", "new"):
            assert cli.get(f"/profiles/{special}?detail=no").text == f"{special} no"
        assert cli.get("/profiles?detail=no").text == "None no"


def test_001_parameter_validation(make_app):
    from datetime import datetime as dt

    app = make_app({"profile.j2": "{{ id }} {{ detail }}"})

    @app.route("/profiles/<int:id>", methods=["GET"])
    @app.inspect(ints=["id"], booleans=["detail"])
    def hello_world(was, id=None, detail=False):
        return was.render("profile.j2", id=id, detail=detail)

    @app.route("/people", methods=["POST"])
    @app.inspect(
        strings=["name", "gender"],
        notags=["resume"],
        nones=["birth_year"],
        oneof=["email", "mobile"],
        birth_year__between=(1900, dt.now().year),
        gender__in=["male", "female", "not-determine"],
        name__len__between=(3, 64),
        mobile=re.compile("[0-9]{3}-[0-9]{3}-[0-9]{4}"),
    )
    def people(was, **DATA):
        return was.API(DATA)

    with app.test_client("/", approot=".") as cli:
        assert cli.get("/profiles/5?detail=yes").text == "5 True"
        good = {"name": "Hans", "gender": "male", "resume": "hi", "mobile": "010-123-4567", "birth_year": 1980}
        assert cli.post("/people", json=good).status_code == 200
        for field, value in (
            ("gender", "x"),
            ("name", "Ha"),
            ("resume", "<b>x</b>"),
            ("birth_year", 1800),
            ("mobile", "12"),
        ):
            r = cli.post("/people", json={**good, field: value})
            assert r.status_code == 400 and field in r.text, (field, r.text)
        r = cli.post("/people", json={k: v for k, v in good.items() if k != "mobile"})
        assert r.status_code == 400


def test_001_file_upload(make_app, tmp_path):
    app = make_app()
    target = tmp_path / "upload"
    target.mkdir()

    @app.route("/upload", methods=["POST"])
    def upload(was, file):
        info = [file.name, file.size, file.mimetype, file.ext]
        file.save(str(target), dup="o")
        return was.API(info=info)

    with app.test_client("/", approot=".") as cli:
        r = cli.post("/upload", files={"file": ("notes.txt", b"hello", "text/plain")})
    info = r.json()["info"]
    assert info == ["notes.txt", 5, "text/plain", ".txt"] or info[:3] == ["notes.txt", 5, "text/plain"]
    assert (target / "notes.txt").read_bytes() == b"hello"


def test_001_cookie(make_app):
    app = make_app()

    @app.route("/")
    def index(was):
        if "user_id" not in was.cookie:
            was.request.cookie.set("user_id", "hansroh")
            return "set"
        return was.cookie["user_id"]

    @app.route("/never")
    def never(was):
        was.cookie.set("k", "v", expires="never", secure=True, http_only=True)
        return "ok"

    with app.test_client("/", approot=".") as cli:
        assert cli.get("/").text == "set"
        assert cli.get("/").text == "hansroh"
        header = cli.get("/never").headers["set-cookie"]
        assert "Secure" in header and "HttpOnly" in header and "Path=/" in header


def test_001_session_and_namespaced_session(make_app):
    app = make_app()
    app.session_timeout = 1200

    @app.route("/session")
    def hello_world(was, **form):
        if "login" not in was.session:
            was.session.set("user_id", form.get("hansroh"))
            was.session["login"] = True
            return "new"
        return f"again {was.session.get('user_id')}"

    @app.route("/admin-login")
    def index(was):
        was.session.mount("ADMIN", path="/admin")
        was.session.set("login", True)
        was.session.mount()  # resore to default session
        return str(was.session.get("login"))

    @app.route("/extend")
    def extend(was):
        was.session.touch()
        was.session.set_expiry(60)
        return was.API(impending=was.session.impending(), use_time=was.session.use_time() >= 0)

    with app.test_client("/", approot=".") as cli:
        assert cli.get("/session", params={"hansroh": "me"}).text == "new"
        assert cli.get("/session").text == "again me"
        r = cli.get("/admin-login")
        assert "Path=/admin" in "; ".join(r.headers.get_list("set-cookie"))
        assert cli.get("/extend").json() == {"impending": False, "use_time": True}


def test_001_message_box_and_redirect(make_app):
    app = make_app(
        {
            "msg.htm": """
        <ul>
        {% for mid, category, created, valid, msg, extra in was.mbox.get ("flash") %}"""
            """<li class="{{category}}">{{ msg }}</li>{% endfor %}
        </ul>{{ name }}"""
        }
    )

    @app.route("/msg")
    def msg(was):
        was.mbox.send("This is Flash Message", "flash")
        was.mbox.send("This is Alert Message Kept by 60 seconds on every request", "alram", valid=60)
        return was.redirect(was.urlfor(showmsg, "Hans Roh"), status="302 Object Moved")

    @app.route("/showmsg")
    def showmsg(was, name):
        return was.render("msg.htm", name=name)

    with app.test_client("/", approot=".") as cli:
        r = cli.get("/msg", follow_redirects=False)
        assert r.status_code == 302 and r.headers["location"] == "/showmsg?name=Hans+Roh"
        page = cli.get(r.headers["location"]).text
        assert '<li class="flash">This is Flash Message</li>' in page and page.endswith("Hans Roh")
        assert "Flash" not in cli.get("/showmsg?name=x").text  # valid=0: shown once


def test_001_piping(package, home):
    from atila.testing import AppTestClient

    app_module = package(
        "pipeapp",
        {
            "__init__.py": """
            from atila import Atila

            def __app__ ():
                return Atila (__name__)

            def __setup__ (app, mntopt):
                from . import services
                app.mount ('/', services)
        """,
            "services/__init__.py": """
            def __setup__ (app, mntopt):
                from .sub import pages
                app.mount ('/', pages)

            def __mount__ (app, mntopt):
                @app.route ("/1")
                @app.inspect (offset = int)
                def index (was, offset = 1):
                    return was.API (result = offset)

                @app.route ("/2")
                def index2 (was):
                    return was.pipe (index)

                @app.route ("/3")
                def index3 (was):
                    return was.pipe (index, offset = 4)

                @app.route ("/4")
                def index4 (was):
                    return was.pipe ('index', offset = 't')

                @app.route ("/5")
                def index5 (was):
                    return was.pipe ('sub.pages.toc', chapter = 5)

                @app.route ("/urls")
                def urls (was):
                    return was.API (urls = [
                        was.static ('img/logo.png'), was.urlfor ("index"),
                        was.urlfor ("sub.pages.toc", 1), was.urlfor ("sub.pages.toc", chapter = 1),
                        was.urlfor ("/index.htm"),
                    ])
        """,
            "services/sub/__init__.py": "",
            "services/sub/pages.py": """
            def __mount__ (app, mntopt):
                @app.route ("/pages/toc/<int:chapter>")
                def toc (was, chapter):
                    return "Page tOC Chapter {}".format (chapter)
        """,
        },
    )
    with AppTestClient(app_module, "/", approot=str(home)) as cli:
        assert cli.get("/2").json() == {"result": 1}
        assert cli.get("/3").json() == {"result": 4}
        assert cli.get("/4").status_code == 400
        assert cli.get("/5").text == "Page tOC Chapter 5"
        assert cli.get("/urls").json()["urls"] == [
            "/static/img/logo.png",
            "/1",
            "/pages/toc/1",
            "/pages/toc/1",
            "/index.htm",
        ]


def test_001_testpass_and_permission_handler(make_app):
    app = make_app()

    class User:
        def __init__(self, uid, lev, nick_name):
            self.uid = uid
            self.lev = lev
            self.nick_name = nick_name
            self.tuid = None

        def __str__(self):
            return self.uid

    @app.permission_handler
    def permission_handler(was, perms):
        if was.request.get_header("authorization"):
            claims = was.dejwt()
            if "err" in claims:
                raise was.Error("401 Unauthorized", claims["err"])
            was.request.user = User(claims["uid"], claims["lev"], claims["nick_name"])
        if not perms:
            return
        if was.request.user.lev == "staff":
            return  # always vaild
        if "staff" in perms:
            raise was.Error("403 Permission Denied")

    @app.route("/animals/<id>")
    @app.permission_required([], id=["staff"])
    def animals(was, id=None):
        id = id or was.request.JWT["userid"]
        return str(id)

    def is_superuser(was):
        if was.user.nick_name not in ("admin", "root"):
            return was.response("403 Permission Denied")

    @app.route("/profile")
    @app.permission_required([])
    @app.testpass_required(is_superuser)
    def modify_profile(was):
        return "modified"

    def bearer(**claims):
        token = Atila.__new__(Atila)  # noqa: F841  (the token comes from the app below)
        return {"Authorization": "Bearer " + jwt_of(claims)}

    def jwt_of(claims):
        from atila.security.tokens import encode_jwt

        return encode_jwt({"exp": time.time() + 60, **claims}, SECUREKEY)

    user = {"uid": "u1", "lev": "user", "nick_name": "hans", "userid": "u1"}
    staff = {**user, "lev": "staff", "nick_name": "root"}
    with app.test_client("/", approot=".") as cli:
        assert cli.get("/animals/me", headers=bearer(**user)).text == "me"
        assert cli.get("/animals/100", headers=bearer(**user)).status_code == 403
        assert cli.get("/animals/100", headers=bearer(**staff)).text == "100"
        assert cli.get("/animals/1", headers={"Authorization": "Bearer broken"}).status_code == 401
        assert cli.get("/profile", headers=bearer(**user)).status_code == 403
        assert cli.get("/profile", headers=bearer(**staff)).text == "modified"


def test_001_permission_per_method(make_app):
    app = make_app()

    @app.permission_handler
    def permission_handler(was, perms):
        level = was.request.get_header("x-level")
        if perms and level not in perms and level != "admin":
            raise was.Error("403 Permission Denied")

    @app.route("/animals/<id>", methods=["POST", "DELETE"])
    @app.permission_required(["user"], id=["staff"], DELETE=["admin"])
    def animals(was, id=None):
        return "done"

    with app.test_client("/", approot=".") as cli:
        assert cli.post("/animals/me", headers={"x-level": "user"}).text == "done"
        assert cli.post("/animals/100", headers={"x-level": "user"}).status_code == 403
        assert cli.post("/animals/100", headers={"x-level": "staff"}).text == "done"
        assert cli.delete("/animals/me", headers={"x-level": "staff"}).status_code == 403
        assert cli.delete("/animals/me", headers={"x-level": "admin"}).text == "done"


def test_001_conditional_prework_and_chains(make_app, tmp_path):
    app = make_app({"index.html": "index"})
    config = tmp_path / "config"
    config.write_text("1")
    calls = []

    def reload_config(was, path):
        calls.append(("reload", path))

    def pre1(was):
        calls.append("pre1")

    def pre2(was):
        calls.append("pre2")

    def post1(was):
        calls.append("post1")

    @app.route("/")
    @app.if_file_modified(str(config), reload_config, interval=1)
    @app.run_before(pre1, pre2)
    @app.run_after(post1)
    def index(was):
        return was.render("index.html")

    with app.test_client("/", approot=".") as cli:
        assert cli.get("/").text == "index"
    assert calls[-3:] == ["pre1", "pre2", "post1"]


def test_001_cors_app_wide_and_per_route(make_app):
    import skitai

    app = make_app()
    with skitai.preference() as pref:
        pref.access_control_allow_origin = ["http://www.skitai.com:5001"]
        pref.access_control_max_age = 3600
    app.apply_pref(pref)

    @app.route("/post", methods=["POST", "OPTIONS"], access_control_allow_origin=["*"], access_control_max_age=3600)
    def post(was):
        return "hello"

    @app.route("/app")
    def app_wide(was):
        return "app"

    with app.test_client("/", approot=".") as cli:
        r = cli.options("/post", headers={"Origin": "http://a.example", "Access-Control-Request-Method": "POST"})
        assert r.status_code == 204 and r.headers["access-control-allow-origin"] == "*"
        assert r.headers["access-control-max-age"] == "3600"
        r = cli.get("/app", headers={"Origin": "http://www.skitai.com:5001"})
        assert r.headers["access-control-allow-origin"] == "http://www.skitai.com:5001"
        assert cli.get("/app", headers={"Origin": "http://evil.example"}).status_code == 403


def test_001_http_errors_and_custom_error_handlers(make_app):
    app = make_app(
        {
            "errors/default.j2": """
            <h1>{{ error.code }} {{ error.message }}</h1>
            <p>{{ error.detail }}</p>
            <hr>
            <div>URL: {{ error.url }}</div>
            <div>Time: {{ error.time }}</div>""",
            "404.j2": "<h1>{{ error.code }} not here: {{ error.url }}</h1>",
        }
    )

    @app.default_error_handler
    def default_error_handler(was, error):
        return was.render("errors/default.j2", error=error)

    @app.error_handler(404)
    def not_found(was, error):
        return was.render("404.j2", error=error)

    @app.route("/e1")
    def e1(was):
        raise was.Error("400 Bad Request")

    @app.route("/e404")
    def e404(was):
        raise was.Error("404 Not Found")

    @app.route("/e3")
    def e3(was):
        raise was.Error("400 Bad Request", 40011, "missing user ID")

    with app.test_client("/", approot=".") as cli:
        r = cli.get("/e3")
        assert r.status_code == 400
        assert "<h1>400 Bad Request</h1>" in r.text and "<p>missing user ID</p>" in r.text
        assert "URL: /e3" in r.text
        assert cli.get("/e1").status_code == 400
        r = cli.get("/e404")
        assert r.status_code == 404 and r.text == "<h1>404 not here: /e404</h1>"


def test_001_primitive_responses(make_app):
    app = make_app({"hello.j2": "<h1>Hello {{ context.name }}</h1>"})

    @app.route("/response")
    def response(was):
        return was.response(status="200 OK", body="Hello", headers=[("X-Server", "Skitai")])

    @app.route("/head")
    def head(was):
        was.response.set_status("200 OK")
        was.response.set_header("X-Server", "Skitai")
        return "hello"

    @app.route("/api")
    def api(was):
        return was.API({"name": "Hans Roh"})

    @app.route("/api2")
    def api2(was):
        return was.API(name="Hans Roh")

    @app.route("/render")
    def render(was):
        return was.render("hello.j2", name="Hans Roh")

    @app.route("/either")
    def either(was):
        return was.render_or_API("hello.j2", name="Hans Roh")

    @app.route("/csv")
    def build_csv(was):
        def generate():
            for row in [["a", "b"], ["c", "d"]]:
                yield ",".join(row) + "\n"

        return was.response("200 OK", generate(), headers=[("Content-Type", "text/csv")])

    with app.test_client("/", approot=".") as cli:
        r = cli.get("/response")
        assert (r.text, r.headers["x-server"]) == ("Hello", "Skitai")
        assert cli.get("/head").headers["x-server"] == "Skitai"
        assert cli.get("/api").json() == cli.get("/api2").json() == {"name": "Hans Roh"}
        assert cli.get("/render").text == "<h1>Hello Hans Roh</h1>"
        assert cli.get("/either", headers={"Accept": "text/html"}).text == "<h1>Hello Hans Roh</h1>"
        assert cli.get("/either", headers={"Accept": "application/json"}).json() == {"name": "Hans Roh"}
        r = cli.get("/csv")
        assert r.text == "a,b\nc,d\n" and r.headers["content-type"].startswith("text/csv")


def test_001_file_and_static(make_app, home):
    app = make_app()
    app.debug = False
    (home / "data.xlsx").write_bytes(b"xlsx")
    (home / "static" / "robots.real.txt").write_text("User-Agent: *\n")
    app.statics = [("/", str(home / "static"))]

    @app.route("/file")
    def file(was):
        return was.File(str(home / "data.xlsx"), "application/octet-stream", "data.xlsx")

    @app.route("/robots.txt")
    def robots(was):
        if app.debug:
            was.response["Content-Type"] = "text/plain"
            return "User-Agent: *\nDisallow: /\n"
        return was.Static("/robots.real.txt")

    with app.test_client("/", approot=".", debug=False) as cli:
        r = cli.get("/file")
        assert r.content == b"xlsx" and "data.xlsx" in r.headers["content-disposition"]
        assert cli.get("/robots.txt").text == "User-Agent: *\n"


def test_001_threaded_data_streaming_queue(make_app):
    app = make_app()

    class Producer:
        def __init__(self):
            self.left = 3

        def get(self, n):
            self.left -= 1
            return [1, 2] if self.left >= 0 else []

    def producing(producer):
        def produce(queue):
            while 1:
                items = producer.get(100)
                if not items:
                    queue.put(None)  # end of stream
                    break
                queue.put(str(items))

        return produce

    @app.route("/threaproducer")
    def threaproducer(was):
        return was.Queue(producing(Producer()))

    with app.test_client("/", approot=".") as cli:
        assert cli.get("/threaproducer").text == "[1, 2]" * 3


def test_001_logging_and_traceback(make_app, caplog):
    app = make_app()

    @app.route("/")
    def sum(was):
        was.log("called index", "info")
        try:
            raise KeyError("x")
        except KeyError:
            was.log("exception occured", "error")
            was.traceback()
        was.log("done index", "info")
        return "ok"

    with caplog.at_level("INFO"):
        with app.test_client("/", approot=".") as cli:
            assert cli.get("/").text == "ok"
    messages = [record.getMessage() for record in caplog.records]
    assert "called index" in messages and "exception occured" in messages and "done index" in messages


def test_001_csrf_token(make_app):
    app = make_app(
        {
            "form.html": """<form>
  {{ was.csrf_token_input }}
  </form>"""
        }
    )

    @app.before_request
    def before_request(was):
        if was.request.args.get("username"):
            if not was.verify_csrf():
                return was.response("400 Bad Request")

    @app.route("/form")
    def form(was):
        return was.render("form.html")

    @app.route("/login", methods=["POST"])
    def login(was, **form):
        return "welcome " + form["username"]

    @app.route("/strict", methods=["POST"])
    @app.csrf_verification_required
    def strict(was, **form):
        return "checked"

    with app.test_client("/", approot=".") as cli:
        token = re.search(r'value="([^"]+)"', cli.get("/form").text).group(1)
        assert cli.post("/login", data={"username": "hans", "csrf_token": token}).text == "welcome hans"
        assert cli.post("/login", data={"username": "hans"}).status_code == 400
        assert cli.post("/strict", data={"csrf_token": token}).text == "checked"
        assert cli.post("/strict", data={}).status_code == 400


def test_001_jwt_otp_and_ott(make_app):
    from atila.was import generate_otp

    app = make_app()

    @app.route("/make_jwt")
    def make_jwt(was):
        t = was.encode_jwt({"iss": "example.com", "exp": time.time() + 3600})
        return t

    @app.route("/verify_token")
    def verify_jwt(was):
        claims = was.request.JWT
        if "err" in claims:
            return claims["err"]
        return claims["iss"]

    def check_otp(was):
        if not was.verify_otp(was.request.get_header("x-otp")):
            raise was.Error("403 Unauthorized")

    @app.route("/admin-task")
    @app.testpass_required(check_otp)
    def task(was):
        return "done"

    @app.route("/password-reset")
    def password_reset(was):
        if was.request.args("username"):
            username = "hans"
            token = was.encode_ott(username, 3600, "pwrset")  # valid within 1 hour
            return token
        if was.request.args("token"):
            username = was.decode_ott(was.request.args["token"])
            if not username:
                return was.response("400 Bad Request")
            was.revoke_ott(was.request.args["token"])
            return username

    with app.test_client("/", approot=".") as cli:
        token = cli.get("/make_jwt").text
        assert cli.get("/verify_token", headers={"Authorization": "Bearer " + token}).text == "example.com"
        assert cli.get("/verify_token").text  # an "err" message
        assert cli.get("/admin-task", headers={"x-otp": generate_otp(SECUREKEY)}).text == "done"
        assert cli.get("/admin-task", headers={"x-otp": "000000x"}).status_code == 403
        ott = cli.get("/password-reset?username=hans").text
        assert cli.get("/password-reset", params={"token": ott}).text == "hans"
        assert cli.get("/password-reset", params={"token": ott}).status_code == 400  # revoked


def test_001_maintain_job_and_store(make_app):
    import threading

    app = make_app()
    app.config.MAINTAIN_INTERVAL = 0.01
    ran = threading.Event()
    app.store["num-nodes"] = 0

    @app.maintain(1, threading=False)
    def maintain_num_nodes(was, now, count):
        num_nodes = 3
        if app.store["num-nodes"] != num_nodes:
            app.store["num-nodes"] = num_nodes
            app.broadcast("cluster:num_nodes")
        ran.set()

    with app.test_client("/", approot="."):
        assert ran.wait(5)
    assert app.store["num-nodes"] == 3


# == seed 004 ========================================================================
def test_004_routing_blank_and_slash_and_multiple_routes(make_app):
    app = make_app({"hello.htm": "hello"})

    @app.route("/hello", mehotd=["POST"])
    @app.route("/")
    def hello_world(was):
        return was.render("hello.htm")

    @app.route("/sub/")
    def slash(was):
        return "slash"

    with app.test_client("/", approot=".") as cli:
        assert cli.get("/").text == cli.get("/hello").text == "hello"
        r = cli.get("/sub", follow_redirects=False)
        assert r.status_code == 301 and r.headers["location"] == "/sub/"


def test_004_request_methods_and_bodies(make_app):
    app = make_app()

    @app.route("/req", methods=["POST"])
    def req(was, **karg):
        request = was.request
        return was.API(
            command=request.command,
            body=request.body.decode(),
            json=request.json(),
            dict=request.dict(),
            args=dict(request.args),
            scheme=request.get_scheme(),
            routed=request.routed_function.__name__,
            headers=request.headers["content-type"],
        )

    @app.route("/form", methods=["POST"])
    def form(was, **karg):
        return was.API(form=dict(was.request.form()))

    with app.test_client("/", approot=".") as cli:
        data = cli.post("/req?q=1", json={"a": 1}).json()
        assert data["command"] == "post" and data["json"] == data["dict"] == {"a": 1}
        assert data["args"] == {"q": "1", "a": 1} and data["scheme"] == "http"
        assert data["routed"] == "req" and data["headers"] == "application/json"
        assert cli.post("/form", data={"b": "2"}).json() == {"form": {"b": "2"}}


def test_004_getting_parameters(make_app):
    app = make_app()

    @app.route("/episode/<int:id>")
    def episode(was, **karg):
        return was.request.ARGS.get("id")

    @app.route("/episodes/<int:id>", methods=["GET", "POST", "PUT", "DELETE", "OPTIONS"])
    def episodes(was, id=None):
        if was.request.method == "POST" and id is None:
            return was.API(id="new_id")
        return was.API(id=id, url=was.ab("episodes"), url100=was.ab("episodes", 100))

    @app.route("/hello")
    def hello_world(was, num=8):
        return num

    @app.route("/hello2")
    def hello_world2(was, **url):
        return url.get("num")

    @app.route("/post", methods=["POST"])
    def hello(was, userid, **form):
        return "Post %s %s" % (userid, form.get("comment", ""))  # noqa: UP031 - seed snippet as written

    @app.route("/composed/<int:id>", methods=["POST"])
    def composed(was, id, topic, comment):
        return was.API(id=id, topic=topic, comment=comment)

    with app.test_client("/", approot=".") as cli:
        assert cli.get("/episode/5").text == "5"
        assert cli.post("/episodes").json() == {"id": "new_id"}
        assert cli.get("/episodes/7").json() == {"id": 7, "url": "/episodes", "url100": "/episodes/100"}
        assert cli.get("/hello").text == "8" and cli.get("/hello?num=3").text == "3"
        assert cli.get("/hello?num=3&other=1").status_code == 400
        assert cli.get("/hello2?num=3&other=1").text == "3"
        assert cli.post("/post", data={"userid": "hans", "comment": "hi"}).text == "Post hans hi"
        r = cli.post("/composed/3?topic=t", json={"comment": "It is good idea"})
        assert r.json() == {"id": 3, "topic": "t", "comment": "It is good idea"}


def test_004_test_params(make_app):
    app = make_app({"test.html": "test {{ was.request.ARGS.id }}"})

    @app.route("/test")
    @app.test_params("ARGS", ["id"], ints=["id"])
    def test(was, id):
        return was.render("test.html")

    @app.route("/1")
    @app.test_params("ARGS", a__gte=5, b__between=(-4, -1), c__in=(1, 2))
    def index6(was):
        return ""

    @app.route("/2")
    @app.test_params("ARGS", a=re.compile("^hans"))
    def index7(was):
        return ""

    @app.route("/3")
    @app.test_params("ARGS", a__len__between=(4, 8))
    def index8(was):
        return ""

    @app.route("/pets/<kind>", methods=["POST"])
    @app.test_params("JSON", ["area"])
    def pets(was, kind, limit, offset=0, **JSON):
        return was.API(kind=kind, limit=limit, offset=offset, area=JSON["area"])

    with app.test_client("/", approot=".") as cli:
        assert cli.get("/test?id=4").text == "test 4"
        assert cli.get("/test?id=x").status_code == 400 and cli.get("/test").status_code == 400
        assert cli.get("/1?a=5&b=-2&c=1").status_code == 200
        assert cli.get("/1?a=4&b=-2&c=1").status_code == 400
        assert cli.get("/2?a=hansroh").status_code == 200 and cli.get("/2?a=roh").status_code == 400
        assert cli.get("/3?a=hans").status_code == 200 and cli.get("/3?a=han").status_code == 400
        r = cli.post("/pets/dog?limit=3", json={"area": "LA"})
        assert r.json() == {"kind": "dog", "limit": "3", "offset": 0, "area": "LA"}
        assert cli.post("/pets/dog?limit=3", json={}).status_code == 400


def test_004_pre_defined_values_and_permissions(make_app):
    app = make_app()

    @app.permission_handler
    def permission_check_handler(was, perms):
        if perms and was.request.get_header("x-level") not in perms:
            raise was.Error("403 Permission Denied")

    @app.route("/episodes/<int:uid>", methods=["GET", "POST", "PATCH", "PUT", "DELETE"])
    @app.permission_required(uid=["staff"])
    def episodes(was, uid):
        return str(uid)

    staff = {"x-level": "staff"}
    with app.test_client("/", approot=".") as cli:
        assert cli.get("/episodes/me").text == "me"
        assert cli.delete("/episodes/me").text == "me"
        assert cli.get("/episodes/4").status_code == 403 and cli.get("/episodes/4", headers=staff).text == "4"
        assert cli.patch("/episodes/4", headers=staff).text == "4"
        assert cli.get("/episodes/new").status_code == 403 and cli.post("/episodes/new", headers=staff).text == "new"
        assert cli.get("/episodes/notme", headers=staff).text == "notme"
        for method in ("DELETE", "POST", "PATCH", "PUT"):
            assert cli.request(method, "/episodes/notme", headers=staff).status_code == 421


def test_004_responses(make_app):
    app = make_app({"hello.htm": "hello", "err404.htm": "custom 404"})

    @app.route("/r1")
    def r1(was):
        return was.response("200 OK", was.render("hello.htm"), [("Cache-Control", "max-age=60")])

    @app.route("/r2")
    def r2(was):
        return was.response(body=was.render("hello.htm"), headers=[("Cache-Control", "max-age=60")])

    @app.route("/r3")
    def r3(was):
        was.response.set_header("Cache-Control", "max-age=60")
        return was.render("hello.htm")

    @app.route("/404a")
    def hello404(was):
        return was.response("404 Not Found", was.render("err404.htm"))

    @app.route("/404b")
    def hello404b(was):
        # if body is not given, automaticcally generated with default error template.
        return was.response("404 Not Found")

    @app.route("/explain")
    def error(was):
        return was.response.with_explain("503 Serivce Unavaliable", "Please Visit On Thurse Day")

    @app.route("/throw")
    def throw(was):
        was.response.throw("409 Conflict")

    @app.route("/streaming")
    def streaming(was):
        return was.response("200 OK", open(__file__, "rb"), headers=[("Content-Type", "text/x-python")])

    @app.route("/<filename>")
    def getfile(was, filename):
        import os

        if not os.path.isfile(filename):
            raise was.Error("404 Not Found", "{} not exists".format(filename))  # noqa: UP032 - seed snippet as written
        return was.File(filename)

    with app.test_client("/", approot=".") as cli:
        for path in ("/r1", "/r2", "/r3"):
            r = cli.get(path)
            assert (r.status_code, r.text, r.headers["cache-control"]) == (200, "hello", "max-age=60")
        assert (cli.get("/404a").status_code, cli.get("/404a").text) == (404, "custom 404")
        assert cli.get("/404b").status_code == 404
        r = cli.get("/explain", headers={"Accept": "application/json"})
        assert r.status_code == 503 and "Thurse" in r.text
        assert cli.get("/throw").status_code == 409
        assert cli.get("/streaming").content == open(__file__, "rb").read()
        r = cli.get("/nothing.txt", headers={"Accept": "application/json"})
        assert r.status_code == 404 and "nothing.txt not exists" in r.text


def test_004_api_and_fault(make_app):
    app = make_app()

    @app.route("/f1")
    def f1(was):
        return was.Fault("200 OK", data=[1, 2, 3])

    @app.route("/f2")
    def f2(was):
        return was.Fault("201 Accept")

    @app.route("/a1")
    def a1(was):
        return was.API(data=[1, 2, 3])

    @app.route("/a2")
    def a2(was):
        return was.API()

    @app.route("/f3")
    def f3(was):
        return was.Fault("400 Bad Request", "missing parameter", 10021)

    @app.route("/created", methods=["POST"])
    def created(was):
        return was.API("201 Created", id=5)

    with app.test_client("/", approot=".") as cli:
        assert cli.get("/f1").json() == {"data": [1, 2, 3]}
        assert (cli.get("/f2").status_code, cli.get("/f2").json()) == (201, {})
        assert cli.get("/a1").json() == {"data": [1, 2, 3]} and cli.get("/a2").json() == {}
        r = cli.get("/f3")
        assert r.status_code == 400 and r.json()["message"] == "missing parameter" and r.json()["code"] == 10021
        r = cli.post("/created")
        assert (r.status_code, r.json()) == (201, {"id": 5})


def test_004_mount_with_namespace_and_options(package, home):
    from atila.testing import AppTestClient

    app_module = package(
        "nsapp",
        {
            "__init__.py": """
            from atila import Atila

            def __app__ ():
                return Atila (__name__)

            def __setup__ (app, mntopt):
                from .services import auth
                app.mount ('/regist', auth, ns = "regist", redirect = "index")

            def __mount__ (app, mntopt):
                @app.route ("/")
                def index (was):
                    return was.ab ("regist.login")
        """,
            "services/__init__.py": "",
            "services/auth.py": """
            def __mount__ (app):
                @app.route ("/login")
                def login (was):
                    return "login"

                @app.route ("/signout")
                def signout (was):
                    return was.ab (__mntopt__.get ("redirect", 'index'))

                @app.route ("/func1")
                def func1 (was, a):
                    return a

                @app.route ("/func2")
                def func2 (was):
                    return was.ab (func1, "hello")
        """,
        },
    )
    with AppTestClient(app_module, "/", approot=str(home)) as cli:
        assert cli.get("/").text == "/regist/login"
        assert cli.get("/regist/login").text == "login"
        assert cli.get("/regist/signout").text == "/"
        assert cli.get("/regist/func2").text == "/regist/func1?a=hello"


def test_004_building_urls(make_app):
    app = make_app()

    @app.route("/add")
    def add(was, num1, num2):
        return int(num1) + int(num2)

    @app.route("/hello/<name>")
    def hello(was, name="Hans Roh"):
        return "Hello, %s" % name  # noqa: UP031 - seed snippet as written

    @app.route("/navigate")
    def navigate(was, limit=20, pageno=1):
        return was.API(partial=was.partial("navigate", pageno=3), base=was.basepath("navigate"))

    @app.route("/user/<id>")
    def user(was, id):
        return was.basepath("user")

    @app.route("/urls")
    def urls(was):
        return was.API(
            urls=[was.ab("add", 10, 40), was.ab("add", 10, num2=60), was.ab(add, 10, 40), was.ab("hello", "Your Name")]
        )

    with app.test_client("/", approot=".") as cli:
        assert cli.get("/urls").json()["urls"] == [
            "/add?num1=10&num2=40",
            "/add?num1=10&num2=60",
            "/add?num1=10&num2=40",
            "/hello/Your_Name",
        ]
        assert cli.get("/navigate?limit=100&pageno=2").json() == {
            "partial": "/navigate?limit=100&pageno=3",
            "base": "/navigate",
        }
        assert cli.get("/user/7").text == "/user/"
        assert cli.get("/add?num1=1&num2=2").text == "3"


def test_004_session_methods_and_named_mbox(make_app):
    app = make_app()
    app.session_timeout = 1200

    @app.route("/set")
    def set_(was):
        was.session.set("a", 1)
        was.session["b"] = 2
        return "ok"

    @app.route("/get")
    def get(was):
        s = was.session
        return was.API(
            keys=sorted(s.keys()),
            values=sorted(s.values()),
            items=sorted(s.items()),
            has=s.has_key("a"),
            getv=s.getv("a"),
            verified=s.source_verified(),
            exists=was.session.exists(None),
            adm=was.session.exists("ADM"),
        )

    @app.route("/remove")
    def remove(was):
        was.session.remove("a")
        return str(was.session.get("a", "gone"))

    @app.route("/adm")
    def index(was):
        was.session.mount("ADM", SECUREKEY, path="/")
        was.session.set("admin_login", True)
        was.mbox.mount("ADM", SECUREKEY, path="/")
        was.mbox.send("10 data has been deleted", "warning")
        return "ok"

    @app.route("/adm-read")
    def adm_read(was):
        was.mbox.mount("ADM", SECUREKEY, path="/")
        return was.API(messages=[m[4] for m in was.mbox.get()], found=len(was.mbox.search("warning")))

    @app.route("/clear")
    def clear(was):
        was.session.clear()
        return str(len(was.session))

    with app.test_client("/", approot=".") as cli:
        cli.get("/set")
        data = cli.get("/get").json()
        assert data["keys"] == ["a", "b"] and data["has"] and data["getv"] == 1 and data["verified"]
        assert data["exists"] and not data["adm"]
        assert cli.get("/remove").text == "gone"
        cli.get("/adm")
        assert cli.get("/get").json()["adm"] is True
        assert cli.get("/adm-read").json() == {"messages": ["10 data has been deleted"], "found": 1}
        assert cli.get("/clear").text == "0"


def test_004_request_hook_sequence_and_failed_request_answer(make_app):
    app = make_app({"err501.htm": "{{ msg }}"})
    calls = []

    @app.before_request
    def before_request(was):
        calls.append("before")
        if was.request.args.get("deny"):
            return "Not Authorized"

    @app.finish_request
    def finish_request(was):
        calls.append("finish")

    @app.failed_request
    def failed_request(was, exc_info):
        calls.append(("failed", exc_info[0].__name__))
        return was.response("501 Server Error", was.render("err501.htm", msg="We're sorry but something's going wrong"))

    @app.teardown_request
    def teardown_request(was):
        calls.append("teardown")

    @app.route("/view-account")
    def view_account(was, userid=None, deny=None):
        if userid == "bad":
            raise RuntimeError("oops")
        return "account"

    with app.test_client("/", approot=".") as cli:
        assert cli.get("/view-account").text == "account"
        assert cli.get("/view-account?deny=1").text == "Not Authorized"
        r = cli.get("/view-account?userid=bad")
        assert r.status_code == 501 and r.text == "We&#39;re sorry but something&#39;s going wrong"
    assert calls == [
        "before",
        "finish",
        "teardown",
        "before",
        "finish",
        "teardown",
        "before",
        ("failed", "RuntimeError"),
        "teardown",
    ]


def test_004_app_event_names_from_the_package(make_app):
    app = make_app({"index.html": "{{ x }}"})
    got = []

    @app.on(atila.app_starting)
    def app_starting_handler(wasc):
        got.append("app_starting")

    @app.on(atila.request_failed)
    def request_failed_handler(was, exc_info):
        got.append(("request_failed", exc_info[0].__name__))

    @app.on(atila.template_rendering)
    def template_rendering_handler(was, template, params):
        got.append(("template_rendering", template, params))

    @app.route("/")
    def index(was):
        return was.render("index.html", x=1)

    @app.route("/fail")
    def fail(was):
        raise KeyError("k")

    with app.test_client("/", approot=".") as cli:
        cli.get("/")
        cli.get("/fail")
    assert got == ["app_starting", ("template_rendering", "index.html", {"x": 1}), ("request_failed", "KeyError")]


def test_004_custom_events_and_emit_after_chain(make_app):
    app = make_app()
    got = []

    @app.on("photo-updated")
    def photo_updated(was):
        got.append("photo-updated")

    @app.on("user-updated")
    @app.emit_after("photo-updated")
    def user_updated(was, userid=None):
        got.append(("user-updated", userid))

    @app.route("/users", methods=["POST"])
    def users(was):
        args = was.request.json()
        app.emit("user-updated", args["userid"])
        return ""

    @app.route("/users2", methods=["POST"])
    @app.emit_after("user-updated")
    def users2(was):
        return ""

    with app.test_client("/", approot=".") as cli:
        cli.post("/users", json={"userid": "hans"})
        cli.post("/users2", json={})
    assert got == [("user-updated", "hans"), "photo-updated", ("user-updated", None), "photo-updated"]


def test_004_custom_error_handler_with_error_fields(make_app):
    app = make_app()

    @app.default_error_handler
    def default_error_handler(was, error):
        return "<h1>{code} {message}</h1>".format(**error)

    @app.route("/missing")
    def missing(was):
        raise was.Error("404 Not Found")

    with app.test_client("/", approot=".") as cli:
        assert cli.get("/missing").text == "<h1>404 Not Found</h1>"


def test_004_cors_on_app_attributes(make_app):
    app = make_app()
    app.access_control_allow_origin = ["*"]
    app.access_control_max_age = 3600

    @app.route("/post", methods=["POST", "OPTIONS"])
    def post(was):
        args = was.request.json()
        return was.API(args)

    with app.test_client("/", approot=".") as cli:
        r = cli.options("/post", headers={"Origin": "http://x.example", "Access-Control-Request-Method": "POST"})
        assert r.status_code == 204 and r.headers["access-control-max-age"] == "3600"
        r = cli.post("/post", json={"a": 1}, headers={"Origin": "http://x.example"})
        assert r.json() == {"a": 1} and r.headers["access-control-allow-origin"] == "*"


def test_004_authentication_basic_digest_and_app_wide(make_app):
    import httpx

    app = make_app()
    app.users = {"hansroh": ("1234", False)}

    @app.route("/hello/<name>", authenticate="digest")
    def hello(was, name="Hans Roh"):
        return "Hello, %s" % name  # noqa: UP031 - seed snippet as written

    @app.route("/basic/<name>")
    @app.authorization_required("basic")
    def basic(was, name="Hans Roh"):
        return "Hello, %s %s" % (name, was.request.user.name)  # noqa: UP031 - seed snippet as written

    with app.test_client("/", approot=".") as cli:
        assert cli.get("/hello/x").status_code == 401
        assert cli.get("/hello/x", auth=httpx.DigestAuth("hansroh", "1234")).text == "Hello, x"
        assert cli.get("/basic/x", auth=("hansroh", "1234")).text == "Hello, x hansroh"
        assert cli.get("/basic/x", auth=("hansroh", "bad")).status_code == 401

    partner = make_app()
    partner.authenticate = "digest"
    partner.realm = "Partner App Area of"
    partner.users = {"app": ("iamyourpartnerapp", 0, {"role": "root"})}

    @partner.route("/hello/<name>")
    def partner_hello(was, name="Hans Roh"):
        return "Hello, %s" % name  # noqa: UP031 - seed snippet as written

    with partner.test_client("/", approot=".") as cli:
        r = cli.get("/hello/x")
        assert r.status_code == 401 and 'realm="Partner App Area of"' in r.headers["www-authenticate"]
        assert cli.get("/hello/x", auth=httpx.DigestAuth("app", "iamyourpartnerapp")).text == "Hello, x"


def test_004_bearer_authorization_with_jwt(make_app):
    app = make_app()
    app.securekey = "5b2c4f18-01fd-4b85-8cfa-01827878562f"

    @app.route("/token")
    def token(was):
        return was.mkjwt({"username": "hansroh", "exp": time.time() + 3600})

    @app.route("/api/v1/predict")
    @app.authorization_required("bearer")
    def predict(was):
        return was.API(
            user=str(was.request.user),
            claims=was.request.JWT["username"],
            again=was.dejwt(was.request.get_header("authorization")[7:])["username"],
        )

    with app.test_client("/", approot=".") as cli:
        jwt = cli.get("/token").text
        r = cli.get("/api/v1/predict", headers={"Authorization": "Bearer " + jwt})
        assert r.json() == {"user": "hansroh", "claims": "hansroh", "again": "hansroh"}
        assert cli.get("/api/v1/predict", headers={"Authorization": "Bearer x.y.z"}).status_code == 401


def test_004_jinja_render_forms_globals_filters_and_overlay(make_app):
    app = make_app(
        {
            "index.html": """{{ choice }} {{ product }} {{ was.request.args.get ("choice", "N/A") }} """
            """<a href="{{ was.ab ('checkout', choice) }}">Proceed</a>""",
            "global.html": "{{ test_global () }} {{ 'Hello' | reverse }}",
            "g.html": (
                """{% set g = was.g %}Checkout for {{ g.howmany }} {{ g.product }}"""
                """{{g.howmany > 1 and "s" or ""}}"""
            ),
        }
    )

    @app.route("/checkout")
    def checkout(was, choice=None):
        return ""

    @app.route("/1")
    def one(was):
        return was.render("index.html", choice=2, product="Apples")

    @app.route("/2")
    def two(was):
        return was.render("index.html", {"choice": 2, "product": "Apples"})

    @app.route("/3")
    def three(was, choice=None):
        return was.render("index.html", {"choice": 2}, product="Apples")

    @app.route("/global")
    def global_(was, a=None, b=None):
        return was.render("global.html")

    @app.template_global("test_global")
    def test(was):
        return ", ".join(was.request.args.keys())

    @app.template_filter("reverse")
    def reverse_filter(s):
        return s[::-1]

    @app.route("/g")
    def g(was):
        was.g.product = "Apple"
        was.g.howmany = 10
        return was.render("g.html")

    expected = '2 Apples N/A <a href="/checkout?choice=2">Proceed</a>'
    with app.test_client("/", approot=".") as cli:
        assert cli.get("/1").text == cli.get("/2").text == expected
        assert cli.get("/3?choice=5").text == expected.replace("N/A", "5")
        assert cli.get("/global?a=1&b=2").text == "a, b olleH"
        assert cli.get("/g").text == "Checkout for 10 Apples"


def test_004_jinja_overlay(make_app):
    app = make_app({"vue.html": "<p>{{ vue }}</p><p>#= server #</p>"})
    app.jinja_overlay(variable_start_string="#=", variable_end_string="#")

    @app.route("/")
    def index(was):
        return was.render("vue.html", server="jinja")

    with app.test_client("/", approot=".") as cli:
        assert cli.get("/").text == "<p>{{ vue }}</p><p>jinja</p>"


def test_004_app_testing_with_api_stub(make_app):
    app = make_app()

    @app.route("/")
    def index(was):
        return "<h1>something</h1>"

    @app.route("/apis/pets/<int:id>")
    def pets(was, id):
        return was.API({"id": id, "kind": "dog", "name": "Monk"})

    with app.test_client("/", approot=".") as cli:
        # html request
        resp = cli.get("/")
        assert "something" in resp.text

        # api call
        stub = cli.api()
        resp = stub.apis.pets(45).get()
        assert resp.data["id"] == 45

        resp = stub.apis.pets(100).get()
        assert resp.data["id"] == 100


def test_004_fault_with_traceback_and_response_traceback(make_app):
    app = make_app()
    app.debug = False

    @app.route("/fault")
    def fault(was):
        try:
            aa  # undefined on purpose: the fault under test
        except NameError:
            return was.Fault("500 Internal Server Error", "somethig is not valid", traceback=True)

    @app.route("/tb")
    def tb(was):
        try:
            raise ValueError("x")
        except ValueError:
            return was.response.traceback("failed")

    with app.test_client("/", approot=".", debug=False) as cli:
        data = cli.get("/fault").json()
        assert data["code"] == 20000 or data["code"] == 10001
        assert data["message"] == "somethig is not valid" and data["debug"] == "see traceback"
        assert any("name 'aa' is not defined" in line for line in data["traceback"])
        r = cli.get("/tb")
        assert r.status_code == 200 and r.json()["code"] == 10001 and r.json()["traceback"]


def test_004_how_to_respond_all_errors_as_json(make_app):
    app = make_app()

    @app.default_error_handler
    def default_error_handler(was, error):
        code = error["errno"] or str(error["code"]) + "00"
        return was.response.fault(error["message"].lower(), code, None, error["detail"], exc_info=error["traceback"])

    @app.route("/gone")
    def gone(was):
        raise was.Error("410 Gone", "moved away")

    with app.test_client("/", approot=".") as cli:
        r = cli.get("/gone")
        assert r.status_code == 410
        assert r.json()["message"] == "gone" and r.json()["code"] == "41000" and r.json()["more_info"] == "moved away"


def test_004_error_fields(make_app):
    app = make_app()
    app.debug = False

    @app.error_handler(404)
    def not_found(was, error):
        keys = ("code", "message", "detail", "mode", "time", "url", "software")
        return was.API({key: str(error[key]) for key in keys})

    @app.route("/missing")
    def missing(was):
        raise was.Error("404 Not Found", "not here")

    with app.test_client("/", approot=".", debug=False) as cli:
        data = cli.get("/missing").json()
    assert data["code"] == "404" and data["message"] == "Not Found" and data["detail"] == "not here"
    assert data["url"] == "/missing" and data["mode"] and data["time"] and data["software"]


def test_004_communication_with_broadcast_events(make_app):
    app = make_app()
    got = []

    @app.on_broadcast("user:data-added")
    def refresh_user_cache(was, userid=None):
        got.append(userid)

    @app.route("/users", methods=["PATCH"])
    def users(was):
        args = was.request.json()
        was.broadcast("user:data-added", args["userid"])
        return was.jstream({}, "data")

    @app.route("/users2", methods=["PATCH"])
    @app.broadcast_after("user:data-added")
    def users2(was):
        return ""

    with app.test_client("/", approot=".") as cli:
        assert cli.patch("/users", json={"userid": "hans"}).json() == {"data": {}}
        cli.patch("/users2")
    assert got == ["hans", None]


def test_004_app_resources(make_app, home):
    app = make_app()
    assert app.get_resource("db", "sqlite3.db") == str(home / "resources" / "db" / "sqlite3.db")
