"""The review page's web server: Starlette, served by uvicorn on 127.0.0.1 only.

Who may talk to it: the browser that opened the one-time address. Its token is exchanged
once for a session cookie (HttpOnly, SameSite=Strict); any request without that cookie gets
403, and so does one whose Host header is not the loopback address and port (DNS rebinding)
or, for anything that changes state, one without the page's CSRF token in X-CSRF-Token.
Every response forbids framing, caching and sniffing, and its Content-Security-Policy lets
the page load only its own scripts, styles and pictures. No original bytes are ever served:
pictures are metadata-free renderings (mediavet/rendering.py).
"""

from __future__ import annotations

import secrets
from pathlib import Path

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, RedirectResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.templating import Jinja2Templates

HERE = Path(__file__).parent
COOKIE = "mediavet_review"
CSP = ("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; "
       "base-uri 'none'; form-action 'self'; frame-ancestors 'none'")
HEADERS = {"Content-Security-Policy": CSP, "X-Content-Type-Options": "nosniff", "Referrer-Policy": "no-referrer",
           "X-Frame-Options": "DENY", "Cache-Control": "no-store", "Cross-Origin-Resource-Policy": "same-origin"}
MAX_BODY = 4 << 20


class Guard:
    """The gate in front of every route (plain ASGI middleware, so it also guards static files)."""

    def __init__(self, app, keys: "Keys"):
        self.app, self.keys = app, keys

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        request = Request(scope)
        refusal = self.keys.refusal(request)
        if refusal:
            return await _secured(PlainTextResponse(refusal, status_code=403))(scope, receive, send)

        async def secured_send(message):
            if message["type"] == "http.response.start":
                headers = [(k, v) for k, v in message.get("headers", [])
                           if k.decode("latin-1").lower() not in {h.lower() for h in HEADERS}]
                headers += [(k.lower().encode("latin-1"), v.encode("latin-1")) for k, v in HEADERS.items()]
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, secured_send)


def _secured(response: Response) -> Response:
    response.headers.update(HEADERS)
    return response


class Keys:
    """The one-time token, the session it becomes, the CSRF token, the allowed Host."""

    def __init__(self, port: int):
        self.token = secrets.token_urlsafe(24)
        self.session: str | None = None
        self.csrf = secrets.token_urlsafe(24)
        self.hosts = {f"127.0.0.1:{port}", f"localhost:{port}"}
        self.origins = {f"http://{host}" for host in self.hosts}

    def refusal(self, request: Request) -> str | None:
        if request.headers.get("host", "") not in self.hosts:
            return "forbidden: this page answers only to its loopback address"
        if request.url.path == "/start":
            return None  # checked by the route: the token itself
        cookie = request.cookies.get(COOKIE, "")
        if not (self.session and secrets.compare_digest(cookie, self.session)):
            return "forbidden: open the address mediavet review printed (it is good once)"
        if request.method not in ("GET", "HEAD"):
            origin = request.headers.get("origin")
            if origin is not None and origin not in self.origins:
                return "forbidden: a request from another site"
            if not secrets.compare_digest(request.headers.get("x-csrf-token", ""), self.csrf):
                return "forbidden: missing or wrong CSRF token"
        return None

    def redeem(self, token: str) -> str | None:
        """The session id for the one-time token, once; None ever after."""
        if self.session is None and secrets.compare_digest(token, self.token):
            self.session = secrets.token_urlsafe(32)
            return self.session
        return None


def create_app(review, port: int) -> tuple[Starlette, Keys]:
    keys = Keys(port)
    templates = Jinja2Templates(directory=str(HERE / "templates"))

    async def start(request: Request):
        session = keys.redeem(request.query_params.get("token", ""))
        if session is None:
            return PlainTextResponse("forbidden: this address was already used or is wrong; "
                                     "start mediavet review again", status_code=403)
        response = RedirectResponse("/", status_code=303)
        response.set_cookie(COOKIE, session, httponly=True, samesite="strict", path="/")
        return response

    def page(request: Request, template: str, **context):
        from mediavet import __version__

        return templates.TemplateResponse(request, template, {"csrf": keys.csrf, "version": __version__,
                                                          "outdir": str(review.outdir), **context})

    async def tips_page(request: Request):
        return page(request, "tips.html")

    async def tip_page(request: Request):
        tip = _tip(request)
        return page(request, "tip.html", number=tip.number, name=tip.path.name)

    async def api_tips(request: Request):
        return JSONResponse({"progress": review.progress(), "tips": review.ranked()})

    async def api_tip(request: Request):
        tip = _tip(request)
        with review.lock:
            data = tip.summary()
            report = tip.report
            data["findings_full"] = [f.to_json() for f in report.findings] if report else []
            data["facts"] = report.facts if report else {}
            data["size"] = tip.entry["size"] if tip.entry else None
            data["frames"] = tip.entry.get("frames") if tip.entry else None
            data["fps"] = tip.entry.get("fps") if tip.entry else None
            data["sampled"] = sorted(tip.frames)
            data["figures"] = [caption for caption, _ in tip.figures]
            data["regions"] = [{"id": i, **r.to_json()} for i, r in enumerate(tip.regions, start=1)]
        return JSONResponse(data, headers={"Cache-Control": "no-store"})

    async def api_picture(request: Request):
        tip = _tip(request)
        frame = request.query_params.get("frame")
        with review.lock:
            data = tip.frames.get(int(frame)) if frame and frame.isdigit() else tip.picture
        if data is None:
            return PlainTextResponse("no picture (yet)", status_code=404)
        return Response(data, media_type="image/jpeg")

    async def _rendered(request: Request, render, missing: str):
        """A JPEG that `render(tip number, k)` makes in a worker thread, or 404 with `missing`."""
        tip = _tip(request)
        picture = await _in_thread(render, tip.number, int(request.path_params["k"]))
        if picture is None:
            return PlainTextResponse(missing, status_code=404)
        return Response(picture, media_type="image/jpeg")

    async def api_match(request: Request):
        """The archived picture a tip matches, rendered (when the archive kept its path)."""
        return await _rendered(request, review.match_picture, "the archive did not keep this picture")

    async def api_match_part(request: Request):
        """The part of the tip's picture where an archived picture was found."""
        return await _rendered(request, review.match_part, "this match covers the whole picture")

    async def api_figure(request: Request):
        """The k-th (1-based) picture of where this tip's evidence lies."""
        tip = _tip(request)
        k = int(request.path_params["k"])
        with review.lock:
            picture = tip.figures[k - 1][1] if 1 <= k <= len(tip.figures) else None
        if picture is None:
            return PlainTextResponse("no such figure", status_code=404)
        return Response(picture, media_type="image/jpeg")

    async def api_copy(request: Request):
        tip = _tip(request)
        picture = await _in_thread(review.copy_picture, tip.number)
        if picture is None:
            return PlainTextResponse("no safe copy of this tip yet", status_code=404)
        return Response(picture, media_type="image/jpeg")

    async def api_regions(request: Request):
        tip = _tip(request)
        body = await _json(request)
        problems = review.set_regions(tip.number, body.get("regions") if isinstance(body, dict) else None)
        if problems:
            return JSONResponse({"problems": problems}, status_code=422)
        return JSONResponse({"ok": True, "regions": len(tip.regions)})

    async def api_track(request: Request):
        tip = _tip(request)
        body = await _json(request)
        try:
            box = tuple(int(v) for v in body["box"])
            new = await _in_thread(review.track, tip.number, int(body["frame"]), box, str(body.get("action", "fill")))
        except (KeyError, TypeError, ValueError) as exc:
            return JSONResponse({"problems": [str(exc)]}, status_code=422)
        return JSONResponse({"added": len(new)})

    async def api_apply(request: Request):
        try:
            results = await _in_thread(review.make_copies)
        except RuntimeError as exc:
            return JSONResponse({"problems": [str(exc)]}, status_code=409)
        return JSONResponse({"results": results, "outdir": str(review.outdir)})

    def _tip(request: Request):
        from starlette.exceptions import HTTPException

        try:
            return review.tip(int(request.path_params["number"]))
        except (KeyError, ValueError):
            raise HTTPException(404, "no such tip") from None

    routes = [
        Route("/start", start), Route("/", tips_page), Route("/favicon.ico", lambda request: Response(status_code=204)), Route("/tip/{number:int}", tip_page),
        Route("/api/tips", api_tips), Route("/api/tip/{number:int}", api_tip),
        Route("/api/tip/{number:int}/picture", api_picture),
        Route("/api/tip/{number:int}/match/{k:int}", api_match),
        Route("/api/tip/{number:int}/match/{k:int}/part", api_match_part),
        Route("/api/tip/{number:int}/copy", api_copy),
        Route("/api/tip/{number:int}/figure/{k:int}", api_figure),
        Route("/api/tip/{number:int}/regions", api_regions, methods=["POST"]),
        Route("/api/tip/{number:int}/track", api_track, methods=["POST"]),
        Route("/api/apply", api_apply, methods=["POST"]),
        Mount("/static", StaticFiles(directory=str(HERE / "static")), name="static"),
    ]
    app = Starlette(routes=routes, middleware=[Middleware(Guard, keys=keys)])
    return app, keys


async def _json(request: Request):
    body = await request.body()
    if len(body) > MAX_BODY:
        return None
    import json

    try:
        return json.loads(body)
    except ValueError:
        return None


async def _in_thread(function, *args):
    from starlette.concurrency import run_in_threadpool

    return await run_in_threadpool(function, *args)


def serve(review, open_browser: bool, echo) -> None:
    """Bind a free loopback port, print (or open) the one-time address, serve until stopped."""
    import socket

    import uvicorn

    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    sock.listen(64)  # the address printed below answers at once
    port = sock.getsockname()[1]
    app, keys = create_app(review, port)
    address = f"http://127.0.0.1:{port}/start?token={keys.token}"
    echo(f"mediavet review: {address}")
    echo("(the address works once, from this machine; stop with Ctrl-C)")
    review.start()
    if open_browser:
        import webbrowser

        webbrowser.open(address)
    config = uvicorn.Config(app, log_level="warning", access_log=False, lifespan="off")
    try:
        uvicorn.Server(config).run(sockets=[sock])  # uvicorn ends on SIGINT and SIGTERM
    finally:
        from mediavet import signals

        signals.sweep()  # the temporary files of copies being made when it was stopped
