"""Fakes for parley's live-data connectors: Open-Meteo, the GitHub REST API v3,
and Google (Calendar v3, Gmail v1 and the OAuth 2.0 token endpoint). Each is a
FakeServer that answers in the real wire format from plain Python attributes a
test sets, records every request in `log` (method, path with query, headers,
body), checks the bearer token like the real API, and can be told to fail:
`fail_with` answers every request with one step, `fail_on` answers requests
under a path prefix with one, and `script` works as in FakeServer. A step is
(status, body), (status, body, headers), ("hang", seconds),
("accept_hang", seconds) or ("reset",).

Run `python3 tests/fakes/connectors.py` for a self-check."""

import base64
import email
import email.message
import email.policy
import email.utils
import hashlib
import json
import os
import re
import sys
import threading
import time
import traceback
import urllib.parse
from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

try:
    from fakes.servers import FakeServer
except ImportError:  # run as a script: put tests/ on sys.path as the e2e tests do
    sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    from fakes.servers import FakeServer


# ---------------------------------------------------------------------------
# Shared machinery


class Call:
    """One request as a fake saw it. `headers` has lower-case names; `query`
    maps each parameter to the list of its values (urllib.parse.parse_qs);
    `form` is the decoded application/x-www-form-urlencoded body (last value
    of each field) or None; `body` is the parsed JSON body, or the raw bytes."""

    __slots__ = ("method", "path", "route", "query", "headers", "body", "form")

    def __init__(self, method, path, headers, body):
        self.method = method
        self.path = path
        split = urllib.parse.urlsplit(path)
        self.route = split.path
        self.query = urllib.parse.parse_qs(split.query, keep_blank_values=True)
        self.headers = {k.lower(): v for k, v in headers.items()}
        self.body = body
        self.form = None
        if "application/x-www-form-urlencoded" in self.headers.get("content-type", ""):
            raw = body if isinstance(body, bytes) else json.dumps(body).encode()
            self.form = {k: v[-1] for k, v in
                         urllib.parse.parse_qs(raw.decode("utf-8", "replace"),
                                               keep_blank_values=True).items()}

    def header(self, name, default=None):
        return self.headers.get(name.lower(), default)

    def param(self, name, default=None):
        values = self.query.get(name)
        return values[-1] if values else default

    def params(self, name):
        return list(self.query.get(name, []))

    def __repr__(self):
        return "Call(%s %s)" % (self.method, self.path)


class _Recorded(list):
    """FakeServer.requests: every append (made by the request handler) also
    logs a Call carrying the HTTP method."""

    def __init__(self, fake, items=()):
        super().__init__(items)
        self._fake = fake

    def append(self, item):
        super().append(item)
        self._fake._logged(item)


class _Script(list):
    """FakeServer.script: a (status, body, headers) step is handed to the
    handler as (status, body) with its headers set aside for the answer."""

    def __init__(self, fake, items=()):
        super().__init__(items)
        self._fake = fake

    def pop(self, index=-1):
        return self._fake._unpack(super().pop(index))


class _Connector(FakeServer):
    """A FakeServer that knows the HTTP method, sets response headers, and
    routes every request to `handle(call)` unless told to fail."""

    content_type = None   # replaces FakeServer's "application/json" when set

    def __init__(self, tls=None):
        self._tl = threading.local()
        self.log = []            # Call, in arrival order
        self.fail_with = None    # a step answering every request
        self.fail_on = {}        # path prefix -> step
        super().__init__(tls)
        fake = self
        base = self.server.RequestHandlerClass

        class Handler(base):
            def do_POST(self):
                fake._tl.method = self.command
                fake._tl.headers = {}
                super().do_POST()

            do_GET = do_PUT = do_PATCH = do_DELETE = do_POST

            def send_header(self, key, value):
                extra = getattr(fake._tl, "headers", None) or {}
                for name in list(extra):
                    if name.lower() == key.lower():
                        value = extra.pop(name)
                        break
                else:
                    if key.lower() == "content-type" and fake.content_type:
                        value = fake.content_type
                super().send_header(key, value)

            def end_headers(self):
                for name, value in (getattr(fake._tl, "headers", None) or {}).items():
                    super().send_header(name, value)
                fake._tl.headers = {}
                super().end_headers()

        self.server.RequestHandlerClass = Handler

    # FakeServer assigns these in its __init__; keep them wrapped.
    @property
    def requests(self):
        return self._requests

    @requests.setter
    def requests(self, value):
        self._requests = _Recorded(self, value)

    @property
    def script(self):
        return self._script

    @script.setter
    def script(self, value):
        self._script = _Script(self, value)

    def _logged(self, item):
        path, headers, body = item
        call = Call(getattr(self._tl, "method", "POST"), path, headers, body)
        self.log.append(call)
        self._tl.call = call

    def _unpack(self, step):
        if isinstance(step, tuple) and len(step) == 3 and isinstance(step[0], int):
            self._tl.headers = dict(step[2])
            return step[:2]
        return step

    def respond(self, path, headers, body):
        self._tl.headers = {}
        call = getattr(self._tl, "call", None) or Call("POST", path, headers, body)
        if self.fail_with is not None:
            return self._unpack(self.fail_with)
        for prefix, step in list(self.fail_on.items()):
            if call.route.startswith(prefix):
                return self._unpack(step)
        try:
            return self._unpack(self.handle(call))
        except Exception:  # a bug in the fake: say so rather than drop the connection
            traceback.print_exc()
            return (500, {"fake_error": traceback.format_exc()})

    def handle(self, call):
        return (404, {})

    def calls(self, route=None, method=None):
        """Logged requests whose path (without query) starts with `route`."""
        with self.cond:
            return [c for c in self.log
                    if (route is None or c.route.startswith(route))
                    and (method is None or c.method == method)]

    def wait_calls(self, count, route=None, method=None, timeout=30):
        with self.cond:
            ok = self.cond.wait_for(lambda: len(self.calls(route, method)) >= count, timeout)
            return self.calls(route, method) if ok else None

    def reset(self):
        """Forgets requests, the script and failures; keeps the data."""
        super().reset()
        with self.cond:
            self.log.clear()
            self.fail_with = None
            self.fail_on = {}


def _bearer(call, schemes=("bearer",)):
    value = call.header("authorization")
    if not value:
        return None
    scheme, _, token = value.partition(" ")
    return token.strip() if scheme.lower() in schemes else ""


def _to_datetime(value, tz=timezone.utc):
    """An aware datetime from epoch seconds, an ISO/RFC 3339 string, a date or a datetime."""
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=tz)
    if isinstance(value, date):
        return datetime(value.year, value.month, value.day, tzinfo=tz)
    if isinstance(value, (int, float)):
        return datetime.fromtimestamp(value, timezone.utc)
    parsed = datetime.fromisoformat(value)
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=tz)


def _iso_z(value):
    return _to_datetime(value).astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def _iso_ms(value):
    return _to_datetime(value).astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.000Z")


def _zone(name):
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return None


def _tokens(query):
    """Splits a search query into terms, keeping "quoted phrases" and
    qualifier:"quoted values" whole, and dropping the quotes."""
    out = []
    for m in re.finditer(r'(-?[\w.-]+:)"([^"]*)"|"([^"]*)"|(\S+)', query):
        if m.group(1):
            out.append(m.group(1) + m.group(2))
        elif m.group(3) is not None:
            out.append(m.group(3))
        else:
            out.append(m.group(4))
    return out


def _split_qualifier(term):
    negated = term.startswith("-") and len(term) > 1
    if negated:
        term = term[1:]
    key, sep, value = term.partition(":")
    if not sep or not key or not value:
        return negated, None, term
    return negated, key.lower(), value


# ---------------------------------------------------------------------------
# Open-Meteo


class FakeOpenMeteo(_Connector):
    """GET /v1/forecast as api.open-meteo.com answers it (no auth).

    `days` is a list of dicts: date ("YYYY-MM-DD" or a date; optional, else
    consecutive from the first day's date or today in the asked zone), code
    (WMO weather code), tmax, tmin (degrees C), rain (precipitation
    probability, %), wind (max wind speed, km/h); optional precip (mm,
    precipitation_sum), sunrise, sunset ("YYYY-MM-DDTHH:MM"). A forecast
    longer than `days` gets nulls, as Open-Meteo gives beyond a model's horizon.
    Coordinates come back snapped to a `grid` (degrees, None to echo them),
    as the real API returns the grid cell's."""

    content_type = "application/json; charset=utf-8"

    # daily variable -> (key in a day dict, unit); legacy names still accepted
    DAILY = {
        "weather_code": ("code", "wmo code"),
        "weathercode": ("code", "wmo code"),
        "temperature_2m_max": ("tmax", "temp"),
        "temperature_2m_min": ("tmin", "temp"),
        "apparent_temperature_max": ("apparent_tmax", "temp"),
        "apparent_temperature_min": ("apparent_tmin", "temp"),
        "precipitation_probability_max": ("rain", "%"),
        "precipitation_probability_mean": ("rain_mean", "%"),
        "precipitation_sum": ("precip", "precip"),
        "rain_sum": ("rain_sum", "precip"),
        "precipitation_hours": ("precip_hours", "h"),
        "wind_speed_10m_max": ("wind", "wind"),
        "windspeed_10m_max": ("wind", "wind"),
        "wind_gusts_10m_max": ("gusts", "wind"),
        "wind_direction_10m_dominant": ("wind_dir", "°"),
        "uv_index_max": ("uv", ""),
        "sunrise": ("sunrise", "iso8601"),
        "sunset": ("sunset", "iso8601"),
    }
    WIND_UNITS = {"kmh": ("km/h", 1.0), "ms": ("m/s", 1 / 3.6),
                  "mph": ("mp/h", 0.621371), "kn": ("kn", 0.539957)}
    RATE_LIMITED = (429, {"error": True, "reason":
                          "Minutely API request limit exceeded. Please try again in one minute."})

    def __init__(self, tls=None):
        super().__init__(tls)
        self.token = None          # Open-Meteo's free API has no auth
        self.days = []
        self.grid = 0.025
        self.elevation = 13.0
        self.auto_timezone = "Europe/Amsterdam"   # what timezone=auto resolves to

    @staticmethod
    def error(reason, status=400):
        return (status, {"error": True, "reason": reason})

    def handle(self, call):
        if call.route.rstrip("/") != "/v1/forecast":
            return self.error("Not Found", 404)
        try:
            lats = self._floats(call, "latitude")
            lons = self._floats(call, "longitude")
        except ValueError as e:
            return self.error(str(e))
        if not lats and not lons:
            return self.error("Parameter 'latitude' and 'longitude' must not be empty")
        if len(lats) != len(lons):
            return self.error(
                "Parameter 'latitude' and 'longitude' must have the same number of elements")
        for lat, lon in zip(lats, lons):
            if not -90 <= lat <= 90:
                return self.error("Latitude must be in range of -90 to 90°. Given: %s." % lat)
            if not -180 <= lon <= 180:
                return self.error("Longitude must be in range of -180 to 180°. Given: %s." % lon)
        daily = [v for value in call.params("daily") for v in value.split(",") if v]
        for name in daily:
            if name not in self.DAILY:
                return self.error("Data corrupted at path ''. Cannot initialize "
                                  "ForecastVariableDaily from invalid String value %s." % name)
        tz_name = call.param("timezone", "GMT") or "GMT"
        if tz_name == "auto":
            tz_name = self.auto_timezone
        tz = ZoneInfo("UTC") if tz_name in ("GMT", "UTC") else _zone(tz_name)
        if tz is None:
            return self.error("Invalid timezone")
        temp_unit = call.param("temperature_unit", "celsius")
        if temp_unit not in ("celsius", "fahrenheit"):
            return self.error("Data corrupted at path ''. Cannot initialize TemperatureUnit "
                              "from invalid String value %s." % temp_unit)
        wind_unit = call.param("wind_speed_unit", call.param("windspeed_unit", "kmh"))
        if wind_unit not in self.WIND_UNITS:
            return self.error("Data corrupted at path ''. Cannot initialize WindspeedUnit "
                              "from invalid String value %s." % wind_unit)
        precip_unit = call.param("precipitation_unit", "mm")
        if precip_unit not in ("mm", "inch"):
            return self.error("Data corrupted at path ''. Cannot initialize PrecipitationUnit "
                              "from invalid String value %s." % precip_unit)
        start, end = call.param("start_date"), call.param("end_date")
        if (start is None) != (end is None):
            return self.error("Both 'start_date' and 'end_date' must be set in the url")
        if start is not None:
            if call.param("forecast_days") is not None:
                return self.error("Parameter 'forecast_days' is mutually exclusive with "
                                  "'start_date' and 'end_date'")
            try:
                first, last = date.fromisoformat(start), date.fromisoformat(end)
            except ValueError:
                return self.error("Invalid date format. Make sure to use 'YYYY-MM-DD'")
            if last < first:
                return self.error("End-date must be larger or equals than start-date")
            dates = [first + timedelta(days=i) for i in range((last - first).days + 1)]
        else:
            raw = call.param("forecast_days", "7")
            try:
                count = int(raw)
            except ValueError:
                return self.error("Data corrupted at path 'forecast_days'. Cannot initialize "
                                  "Int from invalid String value %s." % raw)
            if not 0 <= count <= 16:
                return self.error("Forecast days is invalid. Allowed range 0 to 16. Given %d."
                                  % count)
            first = self._first_date(tz)
            dates = [first + timedelta(days=i) for i in range(count)]
        bodies = [self._location(lat, lon, tz, tz_name, dates, daily,
                                 temp_unit, wind_unit, precip_unit)
                  for lat, lon in zip(lats, lons)]
        return (200, bodies[0] if len(bodies) == 1 else bodies)

    @staticmethod
    def _floats(call, name):
        out = []
        for value in call.params(name):
            for part in value.split(","):
                try:
                    out.append(float(part))
                except ValueError:
                    raise ValueError("Data corrupted at path '%s'. Cannot initialize Float "
                                     "from invalid String value %s." % (name, part)) from None
        return out

    def _first_date(self, tz):
        with self.cond:
            days = list(self.days)
        if days and days[0].get("date") is not None:
            d = days[0]["date"]
            return d if isinstance(d, date) else date.fromisoformat(d)
        return datetime.now(tz).date()

    def _by_date(self, tz):
        with self.cond:
            days = list(self.days)
        out, current = {}, None
        for day in days:
            d = day.get("date")
            if d is not None:
                current = d if isinstance(d, date) else date.fromisoformat(d)
            elif current is None:
                current = datetime.now(tz).date()
            else:
                current = current + timedelta(days=1)
            out[current] = day
        return out

    def _snap(self, value):
        if not self.grid:
            return value
        return round(round(value / self.grid) * self.grid, 6)

    def _location(self, lat, lon, tz, tz_name, dates, daily, temp_unit, wind_unit, precip_unit):
        now = datetime.now(tz)
        offset = int(now.utcoffset().total_seconds())
        hours, rem = divmod(abs(offset), 3600)
        abbr = "GMT" if offset == 0 else "GMT%s%d%s" % (
            "+" if offset > 0 else "-", hours, ":%02d" % (rem // 60) if rem else "")
        units = {"temp": "°F" if temp_unit == "fahrenheit" else "°C",
                 "wind": self.WIND_UNITS[wind_unit][0],
                 "precip": "inch" if precip_unit == "inch" else "mm"}
        by_date = self._by_date(tz)
        body = {"latitude": self._snap(lat), "longitude": self._snap(lon),
                "generationtime_ms": 0.0429153442382812, "utc_offset_seconds": offset,
                "timezone": "GMT" if tz_name in ("GMT", "UTC") else tz_name,
                "timezone_abbreviation": abbr, "elevation": self.elevation}
        if not daily:
            return body
        body["daily_units"] = {"time": "iso8601"}
        body["daily"] = {"time": [d.isoformat() for d in dates]}
        for name in daily:
            key, unit = self.DAILY[name]
            body["daily_units"][name] = units.get(unit, unit)
            values = []
            for d in dates:
                v = by_date.get(d, {}).get(key)
                if v is not None:
                    if unit == "temp" and temp_unit == "fahrenheit":
                        v = round(v * 9 / 5 + 32, 1)
                    elif unit == "wind":
                        v = round(v * self.WIND_UNITS[wind_unit][1], 1)
                    elif unit == "precip" and precip_unit == "inch":
                        v = round(v / 25.4, 3)
                values.append(v)
            body["daily"][name] = values
        return body


# ---------------------------------------------------------------------------
# GitHub


class FakeGitHub(_Connector):
    """The GitHub REST API v3 at its root (parley's github.api_url = fake.url).

    `items` is a list of dicts: repo ("owner/name"), number, title, kind
    ("pr" or "issue"), author, assignees (logins), review_requested (True:
    from `login`; or a list of logins), head_sha, checks (list of
    (name, conclusion) with conclusion None for a run in progress, or
    (name, status, conclusion)); optional state ("open"/"closed"), draft,
    merged, labels, updated_at / created_at (epoch seconds or ISO), body,
    branch, comments. `check_runs` maps more commit shas to check lists.
    `repos` / `users` name further repositories / logins that exist (a search
    on unknown ones is a 422, as on GitHub)."""

    content_type = "application/json; charset=utf-8"
    DOCS = "https://docs.github.com/rest"
    BAD_CREDENTIALS = (401, {"message": "Bad credentials", "documentation_url": DOCS,
                             "status": "401"})
    REQUIRES_AUTH = (401, {"message": "Requires authentication", "documentation_url": DOCS,
                           "status": "401"})
    NOT_FOUND = (404, {"message": "Not Found", "documentation_url": DOCS, "status": "404"})
    NO_USER_AGENT = (403, b"Request forbidden by administrative rules. Please make sure your "
                     b"request has a User-Agent header (https://docs.github.com/en/rest/overview/"
                     b"resources-in-the-rest-api#user-agent-required). Check "
                     b"https://developer.github.com for other possible causes.\n",
                     {"Content-Type": "text/plain; charset=utf-8"})
    TYPE_REQUIRED = (422, {"message": "Query must include 'is:issue' or 'is:pull-request'",
                           "documentation_url": DOCS + "/search/search#search-issues-and-pull-requests",
                           "status": "422"})
    CANNOT_SEARCH = (422, {"message": "Validation Failed", "errors": [{
        "message": "The listed users and repositories cannot be searched either because the "
                   "resources do not exist or you do not have permission to view them.",
        "resource": "Search", "field": "q", "code": "invalid"}],
        "documentation_url": "https://docs.github.com/v3/search/", "status": "422"})
    Q_MISSING = (422, {"message": "Validation Failed", "errors": [{
        "resource": "Search", "field": "q", "code": "missing"}],
        "documentation_url": "https://docs.github.com/v3/search", "status": "422"})
    LIMITS = {"core": 5000, "search": 30}
    DEFAULT_UPDATED = "2026-11-30T10:00:00Z"

    def __init__(self, token="ghp_fake0123456789", login="octocat", tls=None):
        super().__init__(tls)
        self.token = token
        self.login = login
        self.user_id = 1
        self.items = []
        self.check_runs = {}
        self.repos = set()
        self.users = set()
        self.rate_limited = False          # primary limit: 403 (or rate_limit_status)
        self.rate_limit_status = 403
        self.secondary_rate_limited = False
        self.require_user_agent = True
        self.require_type_qualifier = True  # GitHub's 2025/26 rule for authenticated search
        self.web_url = "https://github.com"
        self.used = {"core": 0, "search": 0}
        self.ignored_qualifiers = []        # qualifiers the fake does not evaluate

    # -- plumbing

    def _rate_headers(self, resource, exhausted=False):
        limit = self.LIMITS[resource]
        with self.cond:
            if not exhausted:
                self.used[resource] += 1
            used = limit if exhausted else self.used[resource]
        reset = int(time.time()) + (60 if resource == "search" else 3600)
        return {"x-ratelimit-limit": str(limit),
                "x-ratelimit-remaining": str(max(limit - used, 0)),
                "x-ratelimit-reset": str(reset), "x-ratelimit-used": str(used),
                "x-ratelimit-resource": resource,
                "x-github-api-version-selected": "2022-11-28",
                "x-github-request-id": "FAKE:%04X" % len(self.log)}

    def handle(self, call):
        if self.require_user_agent and not call.header("user-agent"):
            return self.NO_USER_AGENT
        token = _bearer(call, ("bearer", "token"))
        if token is None:
            return self.REQUIRES_AUTH
        if token != self.token:
            return self.BAD_CREDENTIALS
        resource = "search" if call.route.startswith("/search/") else "core"
        if self.rate_limited:
            return (self.rate_limit_status,
                    {"message": "API rate limit exceeded for user ID %d." % self.user_id,
                     "documentation_url": self.DOCS + "/overview/rate-limits-for-the-rest-api",
                     "status": str(self.rate_limit_status)},
                    self._rate_headers(resource, exhausted=True))
        if self.secondary_rate_limited:
            headers = self._rate_headers(resource)
            headers["retry-after"] = "60"
            return (403, {"message": "You have exceeded a secondary rate limit. Please wait a "
                          "few minutes before you try again.",
                          "documentation_url": self.DOCS + "/overview/rate-limits-for-the-rest-api"
                          "#about-secondary-rate-limits", "status": "403"}, headers)
        step = self._route(call)
        status, body = step[0], step[1]
        headers = dict(step[2]) if len(step) > 2 else {}
        headers.update(self._rate_headers(resource))
        return (status, body, headers)

    def _route(self, call):
        if call.method != "GET":
            return self.NOT_FOUND
        parts = [urllib.parse.unquote(p) for p in call.route.strip("/").split("/")]
        if parts == ["user"]:
            return (200, self._user(self.login, full=True))
        if parts == ["search", "issues"]:
            return self._search(call)
        if len(parts) == 5 and parts[0] == "repos" and parts[3] == "pulls":
            return self._pull("%s/%s" % (parts[1], parts[2]), parts[4])
        if len(parts) == 6 and parts[0] == "repos" and parts[3] == "commits" \
                and parts[5] == "check-runs":
            return self._check_runs(call, "%s/%s" % (parts[1], parts[2]), parts[4])
        return self.NOT_FOUND

    # -- JSON builders

    def _user(self, login, full=False):
        uid = self.user_id if login == self.login else \
            int(hashlib.sha1(login.encode()).hexdigest()[:7], 16)
        api = self.url
        user = {"login": login, "id": uid, "node_id": "MDQ6VXNlcj%d" % uid,
                "avatar_url": "https://avatars.githubusercontent.com/u/%d?v=4" % uid,
                "url": "%s/users/%s" % (api, login),
                "html_url": "%s/%s" % (self.web_url, login), "type": "User",
                "site_admin": False}
        if full:
            user.update({"name": login.capitalize(), "company": None, "email": None,
                         "public_repos": 8, "followers": 1, "following": 0,
                         "created_at": "2011-01-25T18:44:36Z",
                         "updated_at": "2026-01-01T00:00:00Z"})
        return user

    def _repo(self, repo):
        owner, name = repo.split("/", 1)
        rid = int(hashlib.sha1(repo.encode()).hexdigest()[:8], 16)
        return {"id": rid, "node_id": "R_fake%d" % rid, "name": name, "full_name": repo,
                "private": False, "owner": self._user(owner),
                "html_url": "%s/%s" % (self.web_url, repo),
                "url": "%s/repos/%s" % (self.url, repo)}

    @staticmethod
    def _is_pr(item):
        return item.get("kind", "issue") in ("pr", "pull", "pull_request")

    def _reviewers(self, item):
        wanted = item.get("review_requested")
        if wanted is True:
            return [self.login]
        if isinstance(wanted, str):
            return [wanted]
        return list(wanted or [])

    def _item_json(self, item):
        api, repo, n = self.url, item["repo"], item["number"]
        pr = self._is_pr(item)
        html = "%s/%s/%s/%d" % (self.web_url, repo, "pull" if pr else "issues", n)
        iid = int(hashlib.sha1(("%s#%d" % (repo, n)).encode()).hexdigest()[:9], 16)
        assignees = [self._user(a) for a in item.get("assignees", [])]
        state = item.get("state", "open")
        updated = _iso_z(item.get("updated_at", self.DEFAULT_UPDATED))
        out = {"url": "%s/repos/%s/issues/%d" % (api, repo, n),
               "repository_url": "%s/repos/%s" % (api, repo),
               "labels_url": "%s/repos/%s/issues/%d/labels{/name}" % (api, repo, n),
               "comments_url": "%s/repos/%s/issues/%d/comments" % (api, repo, n),
               "events_url": "%s/repos/%s/issues/%d/events" % (api, repo, n),
               "html_url": html, "id": iid, "node_id": ("PR_" if pr else "I_") + "kwFake%d" % iid,
               "number": n, "title": item.get("title", ""),
               "user": self._user(item.get("author", "someone")),
               "labels": [{"id": i + 1, "name": label, "color": "ededed", "default": False}
                          for i, label in enumerate(item.get("labels", []))],
               "state": state, "locked": False,
               "assignee": assignees[0] if assignees else None, "assignees": assignees,
               "milestone": None, "comments": item.get("comments", 0),
               "created_at": _iso_z(item.get("created_at", "2026-11-01T09:00:00Z")),
               "updated_at": updated,
               "closed_at": updated if state == "closed" else None,
               "author_association": "MEMBER" if item.get("author") == self.login else "NONE",
               "active_lock_reason": None}
        if pr:
            out["draft"] = bool(item.get("draft", False))
            out["pull_request"] = {
                "url": "%s/repos/%s/pulls/%d" % (api, repo, n), "html_url": html,
                "diff_url": html + ".diff", "patch_url": html + ".patch",
                "merged_at": updated if item.get("merged") else None}
        out.update({"body": item.get("body"),
                    "timeline_url": "%s/repos/%s/issues/%d/timeline" % (api, repo, n),
                    "performed_via_github_app": None,
                    "state_reason": "completed" if state == "closed" else None,
                    "score": 1.0})
        return out

    # -- search

    def _search(self, call):
        q = call.param("q")
        if not q:
            return self.Q_MISSING
        with self.cond:
            items = list(self.items)
        known_repos = {i["repo"].lower() for i in items} | {r.lower() for r in self.repos}
        known_users = {self.login.lower()} | {u.lower() for u in self.users}
        for i in items:
            known_users.add(i.get("author", "").lower())
            known_users.update(a.lower() for a in i.get("assignees", []))
            known_users.update(r.lower() for r in self._reviewers(i))
            known_users.add(i["repo"].split("/")[0].lower())

        scope, filters, words, typed = [], [], [], False
        sort_key, order = call.param("sort"), call.param("order", "desc")
        for term in _tokens(q):
            negated, key, value = _split_qualifier(term)
            if key is None:
                words.append((negated, value.lower()))
                continue
            v = value.lower()
            me = self.login.lower() if v == "@me" else v
            if key in ("is", "type") and v in ("pr", "pull-request", "issue"):
                typed = typed or not negated
                want_pr = v != "issue"
                filters.append((negated, lambda i, w=want_pr: self._is_pr(i) == w))
            elif key in ("is", "state") and v in ("open", "closed"):
                filters.append((negated, lambda i, w=v: i.get("state", "open") == w))
            elif key == "is" and v in ("merged", "unmerged"):
                filters.append((negated, lambda i, w=(v == "merged"):
                                self._is_pr(i) and bool(i.get("merged")) == w))
            elif key == "is" and v == "draft":
                filters.append((negated, lambda i: bool(i.get("draft"))))
            elif key == "draft":
                filters.append((negated, lambda i, w=(v == "true"): bool(i.get("draft")) == w))
            elif key == "repo":
                if v not in known_repos:
                    return self.CANNOT_SEARCH
                scope.append(lambda i, w=v: i["repo"].lower() == w)
            elif key in ("org", "user", "owner"):
                if me not in known_users:
                    return self.CANNOT_SEARCH
                scope.append(lambda i, w=me: i["repo"].split("/")[0].lower() == w)
            elif key in ("author", "assignee", "review-requested", "user-review-requested",
                         "involves"):
                if me not in known_users:
                    return self.CANNOT_SEARCH
                filters.append((negated, lambda i, k=key, w=me: self._user_match(i, k, w)))
            elif key == "no" and v == "assignee":
                filters.append((negated, lambda i: not i.get("assignees")))
            elif key == "label":
                filters.append((negated, lambda i, w=v:
                                w in [x.lower() for x in i.get("labels", [])]))
            elif key == "sort":
                field, _, direction = v.partition("-")
                sort_key, order = field, direction or "desc"
            else:
                with self.cond:
                    self.ignored_qualifiers.append(term)
        if self.require_type_qualifier and not typed:
            return self.TYPE_REQUIRED

        def matches(i):
            if scope and not any(f(i) for f in scope):
                return False
            for negated, f in filters:
                if f(i) == negated:
                    return False
            text = (i.get("title", "") + " " + (i.get("body") or "")).lower()
            return all((w in text) != negated for negated, w in words)

        hits = [i for i in items if matches(i)]
        if sort_key in ("updated", "created", "comments"):
            field = {"updated": "updated_at", "created": "created_at"}.get(sort_key, sort_key)
            hits.sort(key=lambda i: i.get("comments", 0) if field == "comments" else
                      _to_datetime(i.get(field, self.DEFAULT_UPDATED)).timestamp(),
                      reverse=(order != "asc"))
        try:
            per_page = max(1, min(int(call.param("per_page", "30")), 100))
            page = max(1, int(call.param("page", "1")))
        except ValueError:
            per_page, page = 30, 1
        chunk = hits[(page - 1) * per_page: page * per_page]
        headers = {}
        pages = (len(hits) + per_page - 1) // per_page
        if pages > 1:
            links = []
            for rel, p in (("prev", page - 1), ("next", page + 1), ("first", 1), ("last", pages)):
                if 1 <= p <= pages and p != page:
                    query = dict((k, v[-1]) for k, v in call.query.items())
                    query["page"] = str(p)
                    links.append('<%s/search/issues?%s>; rel="%s"'
                                 % (self.url, urllib.parse.urlencode(query), rel))
            headers["Link"] = ", ".join(links)
        return (200, {"total_count": len(hits), "incomplete_results": False,
                      "items": [self._item_json(i) for i in chunk]}, headers)

    def _user_match(self, item, key, login):
        author = item.get("author", "").lower()
        assignees = [a.lower() for a in item.get("assignees", [])]
        reviewers = [r.lower() for r in self._reviewers(item)] if self._is_pr(item) else []
        if key == "author":
            return author == login
        if key == "assignee":
            return login in assignees
        if key in ("review-requested", "user-review-requested"):
            return login in reviewers
        return login == author or login in assignees or login in reviewers  # involves

    # -- pulls and checks

    def _find(self, repo, number):
        with self.cond:
            for i in self.items:
                if i["repo"].lower() == repo.lower() and str(i["number"]) == str(number):
                    return i
        return None

    def _pull(self, repo, number):
        item = self._find(repo, number)
        if item is None or not self._is_pr(item):
            return (404, {"message": "Not Found",
                          "documentation_url": self.DOCS + "/pulls/pulls#get-a-pull-request",
                          "status": "404"})
        issue = self._item_json(item)
        owner = repo.split("/")[0]
        branch = item.get("branch", "feature-%d" % item["number"])
        sha = item.get("head_sha") or hashlib.sha1(branch.encode()).hexdigest()
        out = {"url": "%s/repos/%s/pulls/%d" % (self.url, repo, item["number"]),
               "id": issue["id"], "node_id": issue["node_id"], "html_url": issue["html_url"],
               "diff_url": issue["html_url"] + ".diff", "patch_url": issue["html_url"] + ".patch",
               "issue_url": issue["url"], "number": item["number"], "state": issue["state"],
               "locked": False, "title": issue["title"], "user": issue["user"],
               "body": issue["body"], "created_at": issue["created_at"],
               "updated_at": issue["updated_at"], "closed_at": issue["closed_at"],
               "merged_at": issue["pull_request"]["merged_at"], "merge_commit_sha": None,
               "assignee": issue["assignee"], "assignees": issue["assignees"],
               "requested_reviewers": [self._user(r) for r in self._reviewers(item)],
               "requested_teams": [], "labels": issue["labels"], "milestone": None,
               "draft": issue["draft"],
               "head": {"label": "%s:%s" % (owner, branch), "ref": branch, "sha": sha,
                        "user": self._user(owner), "repo": self._repo(repo)},
               "base": {"label": "%s:main" % owner, "ref": "main",
                        "sha": hashlib.sha1((repo + "main").encode()).hexdigest(),
                        "user": self._user(owner), "repo": self._repo(repo)},
               "author_association": issue["author_association"],
               "merged": bool(item.get("merged")), "mergeable": True,
               "mergeable_state": "clean", "comments": issue["comments"],
               "review_comments": 0, "commits": 1, "additions": 10, "deletions": 2,
               "changed_files": 1}
        return (200, out)

    def _check_runs(self, call, repo, ref):
        checks, sha = None, ref
        with self.cond:
            if ref in self.check_runs:
                checks = list(self.check_runs[ref])
            else:
                for i in self.items:
                    if i["repo"].lower() == repo.lower() and ref in (i.get("head_sha"),
                                                                     i.get("branch")):
                        checks = list(i.get("checks", []))
                        sha = i.get("head_sha") or ref
                        break
        if checks is None:
            return (422, {"message": "No commit found for SHA: %s" % ref,
                          "documentation_url": self.DOCS + "/checks/runs"
                          "#list-check-runs-for-a-git-reference", "status": "422"})
        runs = []
        for n, check in enumerate(checks):
            if isinstance(check, dict):
                name, status, conclusion = check["name"], check.get("status"), check.get("conclusion")
            elif len(check) == 3:
                name, status, conclusion = check
            else:
                name, conclusion = check
                status = None
            if status is None:
                status = "in_progress" if conclusion is None else "completed"
            rid = int(hashlib.sha1(("%s%s%d" % (sha, name, n)).encode()).hexdigest()[:9], 16)
            runs.append({
                "id": rid, "name": name, "node_id": "CR_fake%d" % rid, "head_sha": sha,
                "external_id": "", "url": "%s/repos/%s/check-runs/%d" % (self.url, repo, rid),
                "html_url": "%s/%s/runs/%d" % (self.web_url, repo, rid),
                "details_url": "%s/%s/actions/runs/%d/job/%d" % (self.web_url, repo, rid, rid),
                "status": status, "conclusion": conclusion if status == "completed" else None,
                "started_at": "2026-11-30T10:00:00Z",
                "completed_at": "2026-11-30T10:05:00Z" if status == "completed" else None,
                "output": {"title": None, "summary": None, "text": None,
                           "annotations_count": 0,
                           "annotations_url": "%s/repos/%s/check-runs/%d/annotations"
                                              % (self.url, repo, rid)},
                "check_suite": {"id": rid // 7},
                "app": {"id": 15368, "slug": "github-actions", "name": "GitHub Actions"},
                "pull_requests": []})
        wanted_name, wanted_status = call.param("check_name"), call.param("status")
        runs = [r for r in runs if (wanted_name is None or r["name"] == wanted_name)
                and (wanted_status is None or r["status"] == wanted_status)]
        try:
            per_page = max(1, min(int(call.param("per_page", "30")), 100))
            page = max(1, int(call.param("page", "1")))
        except ValueError:
            per_page, page = 30, 1
        return (200, {"total_count": len(runs),
                      "check_runs": runs[(page - 1) * per_page: page * per_page]})


# ---------------------------------------------------------------------------
# Google


def _s256(verifier):
    return base64.urlsafe_b64encode(hashlib.sha256(verifier.encode("ascii")).digest()) \
        .rstrip(b"=").decode()


def _b64url(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _b64decode_any(text):
    text = text.strip()
    padded = text + "=" * (-len(text) % 4)
    if "+" in text or "/" in text:
        return base64.b64decode(padded, validate=True)
    return base64.urlsafe_b64decode(padded)


def _html_snippet(text):
    """Gmail's snippets come HTML-escaped, apostrophes as &#39;."""
    return (text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
            .replace('"', "&quot;").replace("'", "&#39;"))


def _subject_key(subject):
    s = (subject or "").strip()
    while True:
        m = re.match(r"(?i)^(re|fwd?|aw|sv|wg)\s*:\s*", s)
        if not m:
            return s.lower()
        s = s[m.end():]


class FakeGoogle(_Connector):
    """Calendar API v3 (/calendar/v3/...), Gmail API v1 (/gmail/v1/...) and
    the OAuth 2.0 token endpoint (POST /token) on one server: parley's
    google.api_url = fake.url, google.token_url = fake.url + "/token".

    `events`: dicts with summary, location, description, start and end (an
    RFC 3339 string, "YYYY-MM-DD" for all-day, a datetime/date, or a wire
    dict {"dateTime", "timeZone"} / {"date"}); optional id, status
    ("confirmed"/"tentative"/"cancelled"), time_zone, response (the user's
    own responseStatus: "accepted", "declined", "needsAction", "tentative"),
    attendees (wire dicts or emails), calendar (default "primary").
    `messages`: dicts with id, thread, from, to, subject, snippet, date
    (epoch seconds), labels (default ["INBOX"]); optional body, cc,
    message_id, in_reply_to, references, attachments.

    The access token `token` (and any issued since, until
    expire_access_token()) and `refresh_token` are valid from the start, so
    a test may seed parley with them instead of running the OAuth flow."""

    content_type = "application/json; charset=UTF-8"
    AUTH_MESSAGE_INVALID = (
        "Request had invalid authentication credentials. Expected OAuth 2 access token, login "
        "cookie or other valid authentication credential. See "
        "https://developers.google.com/identity/sign-in/web/devconsole-project.")
    AUTH_MESSAGE_MISSING = (
        "Request is missing required authentication credential. Expected OAuth 2 access token, "
        "login cookie or other valid authentication credential. See "
        "https://developers.google.com/identity/sign-in/web/devconsole-project.")
    UNAUTHENTICATED = (401, {"error": {
        "code": 401, "message": AUTH_MESSAGE_INVALID,
        "errors": [{"message": "Invalid Credentials", "domain": "global", "reason": "authError",
                    "location": "Authorization", "locationType": "header"}],
        "status": "UNAUTHENTICATED"}},
        {"WWW-Authenticate": 'Bearer realm="https://accounts.google.com/", error="invalid_token"'})
    LOGIN_REQUIRED = (401, {"error": {
        "code": 401, "message": AUTH_MESSAGE_MISSING,
        "errors": [{"message": "Login Required.", "domain": "global", "reason": "required",
                    "location": "Authorization", "locationType": "header"}],
        "status": "UNAUTHENTICATED"}},
        {"WWW-Authenticate": 'Bearer realm="https://accounts.google.com/"'})
    SERVICES = {"calendar": ("calendar-json.googleapis.com", "calendar.v3.Events.List"),
                "gmail": ("gmail.googleapis.com", "caribou.api.proto.MailboxService.ListMessages")}
    SYSTEM_LABELS = {"INBOX", "SENT", "UNREAD", "STARRED", "IMPORTANT", "SPAM", "TRASH", "DRAFT",
                     "CHAT", "CATEGORY_PERSONAL", "CATEGORY_SOCIAL", "CATEGORY_PROMOTIONS",
                     "CATEGORY_UPDATES", "CATEGORY_FORUMS"}
    CATEGORIES = {"primary": "CATEGORY_PERSONAL", "social": "CATEGORY_SOCIAL",
                  "promotions": "CATEGORY_PROMOTIONS", "updates": "CATEGORY_UPDATES",
                  "forums": "CATEGORY_FORUMS"}

    def __init__(self, client_id="fake-client.apps.googleusercontent.com",
                 client_secret="GOCSPX-fake-secret", email="me@example.com",
                 time_zone="Europe/Amsterdam", tls=None):
        super().__init__(tls)
        self.client_id = client_id
        self.client_secret = client_secret
        self.email = email
        self.time_zone = time_zone           # the primary calendar's zone
        self.calendar_summary = email
        self.calendars = {}                  # more calendar ids -> {"summary", "timeZone"}
        self.events = []
        self.created = []                    # event resources returned by events.insert
        self.messages = []
        self.sent = []                       # decoded messages.send requests
        self.token_requests = []             # the forms posted to /token
        self.refreshes = 0
        self.revoked = False
        self.scope = ("https://www.googleapis.com/auth/calendar.events "
                      "https://www.googleapis.com/auth/gmail.modify")
        self.issue_refresh_token = True
        self.now = None                      # epoch seconds for Gmail's newer_than:, None: now
        self.codes = {}                      # authorization code -> what expect_challenge registered
        self._issued = 0
        self._ids = 0
        self._token = "ya29.fake-access-0"
        self.access_tokens = {self._token}
        self.refresh_token = "1//fake-refresh-0"
        self.refresh_tokens = {self.refresh_token}

    # -- tokens

    @property
    def token(self):
        """The newest access token (valid unless expire_access_token() ran since)."""
        return self._token

    @token.setter
    def token(self, value):
        with self.cond:
            self._token = value
            self.access_tokens.add(value)

    def expire_access_token(self):
        """Every access token issued so far is refused from now on (401) until
        parley refreshes; refresh tokens stay valid."""
        with self.cond:
            self.access_tokens.clear()

    def expect_challenge(self, challenge, method="S256", code=None, redirect_uri=None,
                         scope=None):
        """Registers an authorization code bound to a PKCE code_challenge, as
        Google's consent screen would have issued it; returns the code to hand
        to parley's OAuth callback. The token exchange must then carry the
        code_verifier with S256(verifier) == challenge (or == verifier for
        method "plain") and, when given here, the same redirect_uri."""
        with self.cond:
            self._ids += 1
            code = code or "4/0AfakeCode%d" % self._ids
            self.codes[code] = {"challenge": challenge, "method": method,
                                "redirect_uri": redirect_uri, "scope": scope, "used": False}
        return code

    def _new_tokens(self):
        with self.cond:
            self._issued += 1
            access = "ya29.fake-access-%d" % self._issued
            self._token = access
            self.access_tokens.add(access)
            return access

    @staticmethod
    def oauth_error(error, description, status=400):
        return (status, {"error": error, "error_description": description})

    def _token_endpoint(self, call):
        if call.method != "POST":
            return (405, {"error": "invalid_request", "error_description": "Bad Request"})
        form = call.form
        if form is None:
            return self.oauth_error("invalid_request", "Bad Request")
        with self.cond:
            self.token_requests.append(dict(form))
        client_id, client_secret = form.get("client_id"), form.get("client_secret")
        auth = call.header("authorization", "")
        if auth.lower().startswith("basic "):
            try:
                pair = base64.b64decode(auth[6:].strip()).decode()
                cid, _, secret = pair.partition(":")
                client_id = urllib.parse.unquote_plus(cid)
                client_secret = urllib.parse.unquote_plus(secret)
            except (ValueError, UnicodeDecodeError):
                return self.oauth_error("invalid_client", "Unauthorized", 401)
        if not client_id:
            return self.oauth_error("invalid_request", "Could not determine client ID from request.")
        if client_id != self.client_id:
            return self.oauth_error("invalid_client", "The OAuth client was not found.", 401)
        if client_secret != self.client_secret:
            return self.oauth_error("invalid_client", "Unauthorized", 401)
        grant = form.get("grant_type", "")
        if grant == "authorization_code":
            return self._exchange_code(form)
        if grant == "refresh_token":
            return self._refresh(form)
        return self.oauth_error("unsupported_grant_type", "Invalid grant_type: " + grant)

    def _exchange_code(self, form):
        code = form.get("code")
        if not code:
            return self.oauth_error("invalid_request", "Missing required parameter: code")
        redirect_uri = form.get("redirect_uri")
        if not redirect_uri:
            return self.oauth_error("invalid_request", "Missing required parameter: redirect_uri")
        verifier = form.get("code_verifier")
        with self.cond:
            grant = self.codes.get(code)
            if grant is None or grant["used"]:
                return self.oauth_error("invalid_grant", "Bad Request")
            if grant["redirect_uri"] is not None and grant["redirect_uri"] != redirect_uri:
                return self.oauth_error("redirect_uri_mismatch", "Bad Request")
            if grant["challenge"] is None:
                if verifier:
                    return self.oauth_error("invalid_grant", "code_verifier or verifier is not needed.")
            else:
                if not verifier:
                    return self.oauth_error("invalid_grant", "Missing code verifier.")
                ok_form = re.fullmatch(r"[A-Za-z0-9\-._~]{43,128}", verifier) is not None
                derived = verifier if grant["method"] == "plain" else _s256(verifier)
                if not ok_form or derived != grant["challenge"]:
                    return self.oauth_error("invalid_grant", "Invalid code verifier.")
            grant["used"] = True
            access = self._new_tokens()
            body = {"access_token": access, "expires_in": 3599}
            if self.issue_refresh_token:
                refresh = "1//fake-refresh-%d" % self._issued
                self.refresh_tokens.add(refresh)
                self.refresh_token = refresh
                body["refresh_token"] = refresh
            body["scope"] = grant["scope"] or self.scope
            body["token_type"] = "Bearer"
        return (200, body)

    def _refresh(self, form):
        refresh = form.get("refresh_token")
        if not refresh:
            return self.oauth_error("invalid_request", "Missing required parameter: refresh_token")
        with self.cond:
            if self.revoked:
                return self.oauth_error("invalid_grant", "Token has been expired or revoked.")
            if refresh not in self.refresh_tokens:
                return self.oauth_error("invalid_grant", "Bad Request")
            self.refreshes += 1
            access = self._new_tokens()
        return (200, {"access_token": access, "expires_in": 3599, "scope": self.scope,
                      "token_type": "Bearer"})

    # -- errors

    @staticmethod
    def calendar_error(code, reason, message, domain="global", location=None,
                       location_type="parameter"):
        """Calendar's backend envelope: no "status" key."""
        item = {"domain": domain, "reason": reason, "message": message}
        if location:
            item.update({"locationType": location_type, "location": location})
        return (code, {"error": {"errors": [item], "code": code, "message": message}})

    @staticmethod
    def gmail_error(code, status, reason, message):
        return (code, {"error": {"code": code, "message": message,
                                 "errors": [{"message": message, "domain": "global",
                                             "reason": reason}],
                                 "status": status}})

    @classmethod
    def insufficient_permissions(cls, api="gmail", method=None):
        """The 403 for a token that lacks the scope, e.g.
        fake.fail_with = FakeGoogle.insufficient_permissions("calendar")."""
        service, default_method = cls.SERVICES[api]
        return (403, {"error": {
            "code": 403, "message": "Request had insufficient authentication scopes.",
            "errors": [{"message": "Insufficient Permission", "domain": "global",
                        "reason": "insufficientPermissions"}],
            "status": "PERMISSION_DENIED",
            "details": [{"@type": "type.googleapis.com/google.rpc.ErrorInfo",
                         "reason": "ACCESS_TOKEN_SCOPE_INSUFFICIENT", "domain": "googleapis.com",
                         "metadata": {"service": service, "method": method or default_method}}]}},
            {"WWW-Authenticate": 'Bearer realm="https://accounts.google.com/", '
                                 'error="insufficient_scope", scope="..."'})

    # -- routing

    def handle(self, call):
        if call.route.rstrip("/") == "/token":
            return self._token_endpoint(call)
        parts = [urllib.parse.unquote(p) for p in call.route.strip("/").split("/")]
        if parts[:2] not in (["calendar", "v3"], ["gmail", "v1"]):
            return (404, b"<!DOCTYPE html><html><title>Error 404 (Not Found)!!1</title></html>",
                    {"Content-Type": "text/html; charset=UTF-8"})
        token = _bearer(call)
        if not token:
            return self.LOGIN_REQUIRED
        with self.cond:
            valid = token in self.access_tokens
        if not valid:
            return self.UNAUTHENTICATED
        if parts[0] == "calendar":
            return self._calendar(call, parts[2:])
        return self._gmail(call, parts[2:])

    # -- Calendar

    def _calendar_info(self, cal_id):
        if cal_id in ("primary", self.email):
            return {"summary": self.calendar_summary, "timeZone": self.time_zone}
        return self.calendars.get(cal_id)

    def _same_calendar(self, a, b):
        primary = ("primary", self.email)
        return a == b or (a in primary and b in primary)

    def _calendar(self, call, parts):
        if parts == ["users", "me", "calendarList"] and call.method == "GET":
            entries = [{"kind": "calendar#calendarListEntry", "id": self.email,
                        "summary": self.calendar_summary, "timeZone": self.time_zone,
                        "accessRole": "owner", "primary": True}]
            entries += [{"kind": "calendar#calendarListEntry", "id": cid,
                         "summary": info.get("summary", cid),
                         "timeZone": info.get("timeZone", self.time_zone),
                         "accessRole": info.get("accessRole", "reader")}
                        for cid, info in self.calendars.items()]
            return (200, {"kind": "calendar#calendarList", "etag": '"p33fake"', "items": entries})
        if len(parts) < 3 or parts[0] != "calendars" or parts[2] != "events":
            return self.calendar_error(404, "notFound", "Not Found")
        cal_id = parts[1]
        info = self._calendar_info(cal_id)
        if info is None:
            return self.calendar_error(404, "notFound", "Not Found")
        if len(parts) == 3 and call.method == "GET":
            return self._list_events(call, cal_id, info)
        if len(parts) == 3 and call.method == "POST":
            return self._insert_event(call, cal_id, info)
        if len(parts) == 4 and call.method == "GET":
            tz = call.param("timeZone") or info["timeZone"]
            for ev in self._calendar_events(cal_id):
                if ev["id"] == parts[3]:
                    return (200, self._event_json(ev, tz, info["timeZone"]))
            return self.calendar_error(404, "notFound", "Not Found")
        if len(parts) == 4 and call.method == "PUT":
            return self._update_event(call, cal_id, info, parts[3])
        if len(parts) == 4 and call.method == "DELETE":
            return self._delete_event(cal_id, parts[3])
        return self.calendar_error(404, "notFound", "Not Found")

    def _find_event(self, cal_id, event_id):
        for ev in self._calendar_events(cal_id):
            if ev["id"] == event_id:
                return ev
        return None

    def _update_event(self, call, cal_id, info, event_id):
        """events.update: the whole resource replaced; 404 for an id never
        inserted. A deleted event stays (status cancelled) and can be updated
        back, as Google's does."""
        body = call.body
        if not isinstance(body, dict):
            return self.calendar_error(400, "parseError", "Parse Error")
        for which in ("start", "end"):
            when = body.get(which)
            if not isinstance(when, dict) or not ("date" in when or "dateTime" in when):
                return self.calendar_error(400, "required", "Missing %s time." % which)
        with self.cond:
            ev = self._find_event(cal_id, event_id)
            if ev is None:
                return self.calendar_error(404, "notFound", "Not Found")
            for key in ("summary", "description", "location", "attendees", "reminders"):
                ev.pop(key, None)
            ev.update({k: v for k, v in body.items()
                       if k in ("summary", "description", "location", "start", "end",
                                "attendees", "reminders", "status", "transparency")})
            ev["updated"] = _iso_ms(time.time())
            ev["sequence"] = ev.get("sequence", 0) + 1
            self.cond.notify_all()
            return (200, self._event_json(ev, info["timeZone"], info["timeZone"]))

    def _delete_event(self, cal_id, event_id):
        """events.delete: 204; 410 when already deleted; 404 when never there."""
        with self.cond:
            ev = self._find_event(cal_id, event_id)
            if ev is None:
                return self.calendar_error(404, "notFound", "Not Found")
            if ev.get("status") == "cancelled":
                return self.calendar_error(410, "deleted", "Resource has been deleted")
            ev["status"] = "cancelled"
            ev["updated"] = _iso_ms(time.time())
            self.cond.notify_all()
        return (204, b"")

    def _calendar_events(self, cal_id):
        with self.cond:
            out = []
            for n, ev in enumerate(self.events):
                if not self._same_calendar(ev.get("calendar", "primary"), cal_id):
                    continue
                ev.setdefault("id", "ev%04dfake" % n)
                out.append(ev)
            return out

    def _when(self, value, cal_tz):
        """(wire dict, start instant) for an event time as a test or parley gave it."""
        zone = _zone(cal_tz) or timezone.utc
        if isinstance(value, dict):
            if "date" in value:
                d = date.fromisoformat(value["date"])
                return {"date": d.isoformat()}, datetime(d.year, d.month, d.day, tzinfo=zone)
            dt = datetime.fromisoformat(value["dateTime"])
            if dt.tzinfo is None:
                dt = dt.replace(tzinfo=_zone(value.get("timeZone", "")) or zone)
            return dict(value), dt
        if isinstance(value, date) and not isinstance(value, datetime):
            return {"date": value.isoformat()}, datetime(value.year, value.month, value.day,
                                                         tzinfo=zone)
        if isinstance(value, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
            d = date.fromisoformat(value)
            return {"date": value}, datetime(d.year, d.month, d.day, tzinfo=zone)
        dt = _to_datetime(value, zone)
        return {"dateTime": dt.isoformat()}, dt

    @staticmethod
    def _render(dt, tz_name):
        zone = _zone(tz_name) or timezone.utc
        out = dt.astimezone(zone).replace(microsecond=0).isoformat()
        if tz_name in ("UTC", "Etc/UTC", "GMT") and out.endswith("+00:00"):
            out = out[:-6] + "Z"
        return out

    def _event_json(self, ev, out_tz, cal_tz):
        start, start_dt = self._when(ev["start"], cal_tz)
        end, _ = self._when(ev["end"], cal_tz)
        for wire in (start, end):
            if "dateTime" in wire:
                _, dt = self._when(wire, cal_tz)
                wire["dateTime"] = self._render(dt, out_tz)
                wire["timeZone"] = wire.get("timeZone") or ev.get("time_zone") or cal_tz
        me = {"email": self.email, "self": True}
        attendees = []
        for a in ev.get("attendees", []):
            a = {"email": a} if isinstance(a, str) else dict(a)
            a.setdefault("responseStatus", "needsAction")
            if a["email"] == self.email:
                a["self"] = True
            attendees.append(a)
        if ev.get("response") and not any(a.get("self") for a in attendees):
            attendees.append(dict(me, responseStatus=ev["response"]))
        created = ev.get("created", "2026-11-01T08:00:00.000Z")
        out = {"kind": "calendar#event",
               "etag": '"%d"' % (3400000000000000 + int(hashlib.sha1(ev["id"].encode())
                                                        .hexdigest()[:8], 16)),
               "id": ev["id"], "status": ev.get("status", "confirmed"),
               "htmlLink": "https://www.google.com/calendar/event?eid=" +
                           _b64url(("%s %s" % (ev["id"], self.email)).encode()),
               "created": created,
               "updated": ev.get("updated", "2026-11-01T08:00:00.000Z")}
        for key in ("summary", "description", "location"):
            if ev.get(key) is not None:
                out[key] = ev[key]
        out["creator"] = ev.get("creator", me)
        out["organizer"] = ev.get("organizer", me)
        out["start"], out["end"] = start, end
        if ev.get("hangoutLink"):
            out["hangoutLink"] = ev["hangoutLink"]
        out["iCalUID"] = ev.get("iCalUID", ev["id"] + "@google.com")
        out["sequence"] = ev.get("sequence", 0)
        if attendees:
            out["attendees"] = attendees
        if ev.get("transparency"):
            out["transparency"] = ev["transparency"]
        out["reminders"] = ev.get("reminders", {"useDefault": True})
        out["eventType"] = ev.get("eventType", "default")
        return out

    def _list_events(self, call, cal_id, info):
        cal_tz = info["timeZone"]
        bounds = {}
        for name in ("timeMin", "timeMax"):
            raw = call.param(name)
            if raw is None:
                continue
            try:
                dt = datetime.fromisoformat(raw)
            except ValueError:
                dt = None
            if dt is None or dt.tzinfo is None or "T" not in raw:
                return self.calendar_error(400, "badRequest", "Bad Request")
            bounds[name] = dt
        if "timeMin" in bounds and "timeMax" in bounds and bounds["timeMax"] <= bounds["timeMin"]:
            return self.calendar_error(400, "timeRangeEmpty", "The specified time range is empty.",
                                       domain="calendar", location="timeMax")
        single = call.param("singleEvents", "false").lower() == "true"
        order_by = call.param("orderBy")
        if order_by is not None and order_by not in ("startTime", "updated"):
            return self.calendar_error(400, "invalidParameter",
                                       "Invalid value for orderBy parameter.",
                                       location="orderBy")
        if order_by == "startTime" and not single:
            return self.calendar_error(400, "invalid", "The requested ordering is not available "
                                       "for the particular query.", location="orderBy")
        out_tz = call.param("timeZone") or cal_tz
        if _zone(out_tz) is None and out_tz not in ("UTC", "GMT"):
            return self.calendar_error(400, "invalid", "Invalid time zone definition.",
                                       location="timeZone")
        show_deleted = call.param("showDeleted", "false").lower() == "true"
        text = (call.param("q") or "").lower()
        hits = []
        for ev in self._calendar_events(cal_id):
            if ev.get("status") == "cancelled" and not show_deleted:
                continue
            _, start = self._when(ev["start"], cal_tz)
            _, end = self._when(ev["end"], cal_tz)
            if "timeMin" in bounds and not end > bounds["timeMin"]:
                continue
            if "timeMax" in bounds and not start < bounds["timeMax"]:
                continue
            if text and text not in " ".join(str(ev.get(k, "")) for k in
                                             ("summary", "description", "location")).lower():
                continue
            hits.append((start, ev))
        if order_by == "startTime":
            hits.sort(key=lambda h: h[0])
        elif order_by == "updated":
            hits.sort(key=lambda h: h[1].get("updated", ""))
        try:
            max_results = max(1, min(int(call.param("maxResults", "250")), 2500))
            offset = int(call.param("pageToken", "0") or 0)
        except ValueError:
            return self.calendar_error(400, "invalid", "Invalid Value")
        page = hits[offset: offset + max_results]
        body = {"kind": "calendar#events", "etag": '"p33cfake"',
                "summary": info.get("summary", cal_id), "description": "",
                "updated": _iso_ms(time.time()), "timeZone": cal_tz,
                "accessRole": "owner",
                "defaultReminders": [{"method": "popup", "minutes": 10}]}
        if offset + max_results < len(hits):
            body["nextPageToken"] = str(offset + max_results)
        else:
            body["nextSyncToken"] = "CPjfake%d=" % len(hits)
        body["items"] = [self._event_json(ev, out_tz, cal_tz) for _, ev in page]
        return (200, body)

    def _insert_event(self, call, cal_id, info):
        body = call.body
        if not isinstance(body, dict):
            return self.calendar_error(400, "parseError", "Parse Error")
        if "end" not in body:
            return self.calendar_error(400, "required", "Missing end time.")
        if "start" not in body:
            return self.calendar_error(400, "required", "Missing start time.")
        for which in ("start", "end"):
            when = body[which]
            if not isinstance(when, dict) or not ("date" in when or "dateTime" in when):
                return self.calendar_error(400, "required", "Missing %s time." % which)
            if "dateTime" in when:
                try:
                    dt = datetime.fromisoformat(when["dateTime"])
                except (TypeError, ValueError):
                    return self.calendar_error(400, "invalid", "Invalid %s time." % which)
                if dt.tzinfo is None and not _zone(when.get("timeZone") or ""):
                    return self.calendar_error(400, "required",
                                               "Missing time zone definition for %s time." % which)
        _, start = self._when(body["start"], info["timeZone"])
        _, end = self._when(body["end"], info["timeZone"])
        if end < start:
            return self.calendar_error(400, "timeRangeEmpty", "The specified time range is empty.",
                                       domain="calendar")
        with self.cond:
            if "id" in body:
                if not re.fullmatch(r"[a-v0-9]{5,1024}", str(body["id"])):
                    return self.calendar_error(400, "invalid", "Invalid resource id value.")
                if any(e.get("id") == body["id"] for e in self.events):
                    return self.calendar_error(409, "duplicate",
                                               "The requested identifier already exists.")
                event_id = body["id"]
            else:
                self._ids += 1
                event_id = "fake%022d" % self._ids
            now = _iso_ms(time.time())
            stored = {k: v for k, v in body.items()
                      if k in ("summary", "description", "location", "start", "end",
                               "attendees", "reminders", "status")}
            stored.update({"id": event_id, "calendar": cal_id, "created": now, "updated": now})
            self.events.append(stored)
            resource = self._event_json(stored, info["timeZone"], info["timeZone"])
            self.created.append(resource)
            self.cond.notify_all()
        return (200, resource)

    # -- Gmail

    def _gmail(self, call, parts):
        if len(parts) < 2 or parts[0] != "users":
            return self.gmail_error(404, "NOT_FOUND", "notFound", "Not Found")
        if parts[1] not in ("me", self.email):
            message = "Delegation denied for " + self.email
            return self.gmail_error(403, "PERMISSION_DENIED", "forbidden", message)
        rest = parts[2:]
        if rest == ["profile"] and call.method == "GET":
            with self.cond:
                msgs = [self._msg(m) for m in self.messages]
            return (200, {"emailAddress": self.email, "messagesTotal": len(msgs),
                          "threadsTotal": len({m["thread"] for m in msgs}),
                          "historyId": str(100000 + len(msgs))})
        if rest == ["messages", "send"] and call.method == "POST":
            return self._send(call)
        if rest in (["messages"], ["threads"]) and call.method == "GET":
            return self._gmail_list(call, rest[0])
        if len(rest) == 2 and rest[0] == "messages" and call.method == "GET":
            fmt = call.param("format", "full")
            if fmt not in ("full", "metadata", "minimal", "raw"):
                return self.gmail_error(400, "INVALID_ARGUMENT", "invalidArgument",
                                        "Invalid value at 'format' "
                                        "(type.googleapis.com/google.apps.gmail.v1.Format), "
                                        "\"%s\"" % fmt)
            for m in self._all_messages():
                if m["id"] == rest[1]:
                    return (200, self._message_json(m, fmt, call.params("metadataHeaders")))
            return self.gmail_error(404, "NOT_FOUND", "notFound", "Requested entity was not found.")
        if len(rest) == 2 and rest[0] == "threads" and call.method == "GET":
            fmt = call.param("format", "full")
            msgs = sorted((m for m in self._all_messages() if m["thread"] == rest[1]),
                          key=lambda m: m["date"])
            if not msgs:
                return self.gmail_error(404, "NOT_FOUND", "notFound",
                                        "Requested entity was not found.")
            return (200, {"id": rest[1], "historyId": str(100000 + len(msgs)),
                          "messages": [self._message_json(m, fmt, call.params("metadataHeaders"))
                                       for m in msgs]})
        return self.gmail_error(404, "NOT_FOUND", "notFound", "Not Found")

    def _msg(self, m):
        """A message dict with defaults filled in (the test's dict is not changed)."""
        out = dict(m)
        out.setdefault("thread", out["id"])
        out.setdefault("labels", ["INBOX"])
        out.setdefault("date", self.now or time.time())
        out.setdefault("from", "someone@example.com")
        out.setdefault("to", self.email)
        out.setdefault("subject", "")
        out.setdefault("body", out.get("snippet", ""))
        out.setdefault("snippet", out["body"][:200])
        out.setdefault("message_id", "<%s@mail.example.com>" % out["id"])
        return out

    def _all_messages(self):
        with self.cond:
            for m in self.messages:
                m.setdefault("date", self.now or time.time())
            return [self._msg(m) for m in self.messages]

    def _headers(self, m):
        headers = [("From", m["from"]), ("To", m["to"])]
        if m.get("cc"):
            headers.append(("Cc", m["cc"]))
        headers += [("Subject", m["subject"]),
                    ("Date", email.utils.format_datetime(
                        datetime.fromtimestamp(m["date"], timezone.utc)))]
        if m.get("in_reply_to"):
            headers.append(("In-Reply-To", m["in_reply_to"]))
        if m.get("references"):
            headers.append(("References", m["references"]))
        headers += [("Message-ID", m["message_id"]), ("MIME-Version", "1.0"),
                    ("Content-Type", 'text/plain; charset="UTF-8"')]
        return headers

    def _message_json(self, m, fmt, metadata_headers):
        ms = int(m["date"] * 1000)
        body_bytes = m["body"].encode()
        out = {"id": m["id"], "threadId": m["thread"], "labelIds": list(m["labels"]),
               "snippet": _html_snippet(m["snippet"])}
        headers = self._headers(m)
        if fmt == "metadata":
            wanted = {h.lower() for h in metadata_headers}
            out["payload"] = {"mimeType": "text/plain", "headers": [
                {"name": n, "value": v} for n, v in headers
                if not wanted or n.lower() in wanted]}
        elif fmt == "full":
            out["payload"] = {"partId": "", "mimeType": "text/plain", "filename": "",
                              "headers": [{"name": n, "value": v} for n, v in headers],
                              "body": {"size": len(body_bytes), "data": _b64url(body_bytes)}}
        raw = "".join("%s: %s\r\n" % h for h in headers).encode() + b"\r\n" + body_bytes
        out["sizeEstimate"] = len(raw)
        if fmt == "raw":
            out["raw"] = _b64url(raw)
        out["historyId"] = str(100000 + ms % 99991)
        out["internalDate"] = str(ms)
        return out

    def _matcher(self, q, include_spam_trash):
        now = self.now or time.time()
        tests = []
        everywhere = include_spam_trash
        for term in _tokens(q or ""):
            negated, key, value = _split_qualifier(term)
            v = value.lower()
            if key is None:
                if term.upper() == "OR":
                    continue
                tests.append((negated, lambda m, w=v: w in " ".join(
                    (m["subject"], m["snippet"], m["body"], m["from"], m["to"])).lower()))
            elif key == "is" and v in ("unread", "read", "starred", "important"):
                label = {"read": "UNREAD"}.get(v, v.upper())
                neg = negated != (v == "read")
                tests.append((neg, lambda m, w=label: w in m["labels"]))
            elif key == "in" and v == "anywhere":
                everywhere = True
            elif key in ("in", "label"):
                label = {"inbox": "INBOX", "sent": "SENT", "spam": "SPAM", "trash": "TRASH",
                         "drafts": "DRAFT", "starred": "STARRED", "important": "IMPORTANT",
                         "unread": "UNREAD", "chats": "CHAT"}.get(v)
                if label in ("SPAM", "TRASH") and not negated:
                    everywhere = True
                tests.append((negated, lambda m, w=label, raw=v:
                              (w in m["labels"]) if w else
                              raw in [x.lower() for x in m["labels"]]))
            elif key == "category" and v in self.CATEGORIES:
                tests.append((negated, lambda m, w=self.CATEGORIES[v]: w in m["labels"]))
            elif key in ("from", "to", "cc", "subject"):
                field = key if key != "cc" else "cc"
                tests.append((negated, lambda m, f=field, w=v: w in (m.get(f) or "").lower()))
            elif key == "has" and v == "attachment":
                tests.append((negated, lambda m: bool(m.get("attachments"))))
            elif key in ("newer_than", "older_than") and re.fullmatch(r"\d+[dmy]", v):
                span = int(v[:-1]) * {"d": 86400, "m": 31 * 86400, "y": 366 * 86400}[v[-1]]
                if key == "newer_than":
                    tests.append((negated, lambda m, s=span: m["date"] > now - s))
                else:
                    tests.append((negated, lambda m, s=span: m["date"] < now - s))
            elif key in ("after", "before"):
                if v.isdigit():
                    moment = int(v)
                else:
                    try:
                        moment = datetime.strptime(v.replace("-", "/"), "%Y/%m/%d") \
                            .replace(tzinfo=timezone.utc).timestamp()
                    except ValueError:
                        continue
                if key == "after":
                    tests.append((negated, lambda m, t=moment: m["date"] > t))
                else:
                    tests.append((negated, lambda m, t=moment: m["date"] < t))
            else:   # unknown operators search as text, as in Gmail
                tests.append((negated, lambda m, w=term.lower(): w in " ".join(
                    (m["subject"], m["snippet"], m["body"])).lower()))

        def match(m):
            if not everywhere and ({"SPAM", "TRASH"} & set(m["labels"])):
                return False
            return all(t(m) != negated for negated, t in tests)
        return match

    def _gmail_list(self, call, kind):
        include = call.param("includeSpamTrash", "false").lower() == "true"
        match = self._matcher(call.param("q"), include)
        label_ids = call.params("labelIds")
        msgs = [m for m in self._all_messages()
                if match(m) and all(lbl in m["labels"] for lbl in label_ids)]
        msgs.sort(key=lambda m: m["date"], reverse=True)
        if kind == "threads":
            seen, rows = set(), []
            for m in msgs:
                if m["thread"] not in seen:
                    seen.add(m["thread"])
                    latest = max((x for x in self._all_messages() if x["thread"] == m["thread"]),
                                 key=lambda x: x["date"])
                    rows.append({"id": m["thread"], "snippet": _html_snippet(latest["snippet"]),
                                 "historyId": str(100000 + int(latest["date"]) % 99991)})
        else:
            rows = [{"id": m["id"], "threadId": m["thread"]} for m in msgs]
        try:
            max_results = max(1, min(int(call.param("maxResults", "100")), 500))
            offset = int(call.param("pageToken", "0") or 0)
        except ValueError:
            return self.gmail_error(400, "INVALID_ARGUMENT", "invalidArgument", "Invalid value")
        page = rows[offset: offset + max_results]
        body = {}
        if page:
            body[kind] = page
        if offset + max_results < len(rows):
            body["nextPageToken"] = str(offset + max_results)
        body["resultSizeEstimate"] = len(rows)
        return (200, body)

    def _send(self, call):
        body = call.body if isinstance(call.body, dict) else {}
        raw = body.get("raw")
        if not raw:
            return self.gmail_error(400, "INVALID_ARGUMENT", "invalidArgument",
                                    "'raw' RFC822 payload message string or uploading message "
                                    "via /upload/* URL required")
        try:
            data = _b64decode_any(raw)
        except ValueError:
            return self.gmail_error(400, "INVALID_ARGUMENT", "invalid",
                                    "Invalid value for ByteString: " + raw[:40])
        message = email.message_from_bytes(data, policy=email.policy.default)
        recipients = [addr for _, addr in email.utils.getaddresses(
            [str(message.get(h, "")) for h in ("To", "Cc", "Bcc")]) if addr]
        if not recipients:
            return self.gmail_error(400, "INVALID_ARGUMENT", "invalidArgument",
                                    "Recipient address required")
        subject = str(message.get("Subject", ""))
        part = message.get_body(preferencelist=("plain", "html"))
        text = part.get_content() if part is not None else ""
        requested = body.get("threadId")
        with self.cond:
            self._ids += 1
            msg_id = "%016x" % (0x19a0000000000000 + self._ids)
            thread = msg_id
            if requested:
                in_thread = [self._msg(m) for m in self.messages
                             if self._msg(m)["thread"] == requested]
                if not in_thread:
                    return self.gmail_error(404, "NOT_FOUND", "notFound",
                                            "Requested entity was not found.")
                # Gmail files the message in the thread only when the Subject matches.
                if any(_subject_key(m["subject"]) == _subject_key(subject) for m in in_thread):
                    thread = requested
            labels = ["UNREAD", "SENT", "INBOX"] if self.email in recipients else ["SENT"]
            record = {"id": msg_id, "threadId": thread, "requested_thread": requested,
                      "raw": raw, "from": str(message.get("From", self.email)),
                      "to": str(message.get("To", "")), "cc": str(message.get("Cc", "")),
                      "bcc": str(message.get("Bcc", "")), "recipients": recipients,
                      "subject": subject, "body": text,
                      "in_reply_to": message.get("In-Reply-To"),
                      "references": message.get("References"),
                      "headers": {k: str(v) for k, v in message.items()}, "message": message}
            self.sent.append(record)
            self.messages.append({
                "id": msg_id, "thread": thread, "from": record["from"] or self.email,
                "to": record["to"], "cc": record["cc"], "subject": subject,
                "snippet": " ".join(text.split())[:200], "body": text,
                "date": self.now or time.time(), "labels": list(labels),
                "message_id": str(message.get("Message-ID") or
                                  "<fake%d@mail.gmail.com>" % self._ids),
                "in_reply_to": record["in_reply_to"], "references": record["references"]})
        return (200, {"id": msg_id, "threadId": thread, "labelIds": labels})


# ---------------------------------------------------------------------------
# Self-check


if __name__ == "__main__":
    import secrets
    import urllib.error
    import urllib.request

    def fetch(url, method="GET", headers=None, json_body=None, form=None, timeout=10):
        data = None
        headers = dict(headers or {})
        if json_body is not None:
            data = json.dumps(json_body).encode()
            headers["Content-Type"] = "application/json"
        if form is not None:
            data = urllib.parse.urlencode(form).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        req = urllib.request.Request(url, data=data, headers=headers, method=method)
        try:
            with urllib.request.urlopen(req, timeout=timeout) as r:
                status, hdrs, raw = r.status, r.headers, r.read()
        except urllib.error.HTTPError as e:
            status, hdrs, raw = e.code, e.headers, e.read()
        try:
            return status, hdrs, json.loads(raw)
        except ValueError:
            return status, hdrs, raw

    def check(cond, what):
        if not cond:
            raise AssertionError(what)

    # Open-Meteo
    om = FakeOpenMeteo()
    om.days = [{"date": "2026-12-02", "code": 61, "tmax": 7.5, "tmin": 2.1, "rain": 80,
                "wind": 24.0},
               {"code": 3, "tmax": 6.0, "tmin": 1.0, "rain": 20, "wind": 12.5}]
    daily = ("weather_code,temperature_2m_max,temperature_2m_min,"
             "precipitation_probability_max,wind_speed_10m_max")
    q = urllib.parse.urlencode({"latitude": "52.37", "longitude": "4.89", "daily": daily,
                                "timezone": "Europe/Amsterdam", "forecast_days": "3"})
    s, h, b = fetch(om.url + "/v1/forecast?" + q)
    check(s == 200, (s, b))
    check(b["timezone"] == "Europe/Amsterdam" and b["utc_offset_seconds"] in (3600, 7200), b)
    check(b["daily"]["time"] == ["2026-12-02", "2026-12-03", "2026-12-04"], b)
    check(b["daily"]["weather_code"] == [61, 3, None], b)
    check(b["daily"]["temperature_2m_max"] == [7.5, 6.0, None], b)
    check(b["daily_units"]["wind_speed_10m_max"] == "km/h", b)
    check(b["daily_units"]["weather_code"] == "wmo code", b)
    check(abs(b["latitude"] - 52.375) < 1e-9, b)
    check("application/json" in h["Content-Type"], h)
    s, _, b = fetch(om.url + "/v1/forecast?" + q + "&temperature_unit=fahrenheit"
                    "&wind_speed_unit=mph")
    check(b["daily"]["temperature_2m_max"][0] == 45.5 and b["daily_units"]
          ["wind_speed_10m_max"] == "mp/h", b)
    s, _, b = fetch(om.url + "/v1/forecast?latitude=52&daily=weather_code")
    check(s == 400 and b["error"] is True and "same number" in b["reason"], (s, b))
    s, _, b = fetch(om.url + "/v1/forecast?latitude=999&longitude=4&daily=weather_code")
    check(s == 400 and b["reason"] == "Latitude must be in range of -90 to 90°. Given: 999.0.", b)
    s, _, b = fetch(om.url + "/v1/forecast?latitude=52&longitude=4&daily=tempeture_2m_max")
    check(s == 400 and "tempeture_2m_max" in b["reason"], b)
    s, _, b = fetch(om.url + "/v1/forecast?latitude=52&longitude=4&daily=weather_code"
                    "&timezone=Mars/Olympus")
    check(s == 400 and b["reason"] == "Invalid timezone", b)
    s, _, b = fetch(om.url + "/v1/forecast?latitude=52&longitude=4&daily=weather_code"
                    "&forecast_days=17")
    check(s == 400 and b["reason"].startswith("Forecast days is invalid. Allowed range 0 to 16"), b)
    om.fail_with = FakeOpenMeteo.RATE_LIMITED
    s, _, b = fetch(om.url + "/v1/forecast?" + q)
    check(s == 429 and b["error"] is True, b)
    om.fail_with = ("hang", 5)
    try:
        fetch(om.url + "/v1/forecast?" + q, timeout=0.5)
        check(False, "hang did not hang")
    except OSError:
        pass
    om.release.set()
    om.fail_with = None
    om.script = [(503, {"error": True, "reason": "down"}, {"Retry-After": "7"})]
    s, h, b = fetch(om.url + "/v1/forecast?" + q)
    check(s == 503 and h["Retry-After"] == "7", (s, dict(h)))
    s, _, b = fetch(om.url + "/v1/forecast?" + q)
    check(s == 200, s)
    check(om.log[0].method == "GET" and om.log[0].param("timezone") == "Europe/Amsterdam",
          om.log[0])
    om.close()

    # GitHub
    gh = FakeGitHub(token="ghp_test")
    gh.items = [
        {"repo": "acme/api", "number": 7, "title": "Fix retries", "kind": "pr",
         "author": "alice", "assignees": [], "review_requested": True, "head_sha": "a" * 40,
         "checks": [("build", "success"), ("lint", "failure"), ("e2e", None)],
         "updated_at": "2026-11-30T09:00:00Z"},
        {"repo": "acme/web", "number": 3, "title": "Broken link", "kind": "issue",
         "author": "bob", "assignees": ["octocat"], "updated_at": "2026-11-29T09:00:00Z"},
        {"repo": "acme/web", "number": 4, "title": "My feature", "kind": "pr",
         "author": "octocat", "assignees": ["octocat"], "head_sha": "b" * 40,
         "checks": [("build", "success")], "updated_at": "2026-11-28T09:00:00Z"},
        {"repo": "other/x", "number": 1, "title": "Closed", "kind": "pr", "state": "closed",
         "author": "octocat", "review_requested": True, "head_sha": "c" * 40},
    ]
    auth = {"Authorization": "Bearer ghp_test", "Accept": "application/vnd.github+json",
            "User-Agent": "parley-test", "X-GitHub-Api-Version": "2022-11-28"}

    def gh_search(query, **extra):
        params = dict({"q": query}, **extra)
        return fetch(gh.url + "/search/issues?" + urllib.parse.urlencode(params), headers=auth)

    s, h, b = fetch(gh.url + "/user", headers=auth)
    check(s == 200 and b["login"] == "octocat" and h["x-ratelimit-resource"] == "core", (s, b))
    s, h, b = gh_search("is:open is:pr review-requested:@me")
    check(s == 200 and [i["number"] for i in b["items"]] == [7], b)
    item = b["items"][0]
    check(item["repository_url"] == gh.url + "/repos/acme/api" and "pull_request" in item
          and item["user"]["login"] == "alice" and h["x-ratelimit-resource"] == "search", item)
    s, _, b = gh_search("is:open assignee:@me is:issue")
    check([i["number"] for i in b["items"]] == [3] and "pull_request" not in b["items"][0], b)
    s, _, b = gh_search("is:pr author:@me repo:acme/web repo:other/x")
    check(sorted(i["number"] for i in b["items"]) == [1, 4] and b["total_count"] == 2, b)
    s, _, b = gh_search("is:pr is:open author:@me repo:acme/web repo:other/x")
    check([i["number"] for i in b["items"]] == [4], b)
    s, _, b = gh_search("assignee:@me")
    check(s == 422 and "is:issue" in b["message"], (s, b))
    s, _, b = gh_search("is:pr repo:acme/nope")
    check(s == 422 and b["message"] == "Validation Failed", (s, b))
    s, h, b = gh_search("is:pr", per_page="1", sort="updated")
    check(b["total_count"] == 3 and len(b["items"]) == 1 and 'rel="next"' in h["Link"], (b, h))
    s, _, b = fetch(gh.url + "/repos/acme/api/pulls/7", headers=auth)
    check(s == 200 and b["head"]["sha"] == "a" * 40 and b["number"] == 7
          and b["html_url"] == "https://github.com/acme/api/pull/7", b)
    s, _, b = fetch(gh.url + "/repos/acme/web/pulls/3", headers=auth)
    check(s == 404 and b["message"] == "Not Found", (s, b))
    s, _, b = fetch(gh.url + "/repos/acme/api/commits/%s/check-runs" % ("a" * 40), headers=auth)
    check(s == 200 and b["total_count"] == 3, b)
    check([(r["name"], r["status"], r["conclusion"]) for r in b["check_runs"]] ==
          [("build", "completed", "success"), ("lint", "completed", "failure"),
           ("e2e", "in_progress", None)], b)
    s, _, b = fetch(gh.url + "/repos/acme/api/commits/%s/check-runs" % ("f" * 40), headers=auth)
    check(s == 422 and "No commit found" in b["message"], (s, b))
    s, _, b = fetch(gh.url + "/user", headers=dict(auth, Authorization="Bearer wrong"))
    check(s == 401 and b == {"message": "Bad credentials",
                             "documentation_url": "https://docs.github.com/rest",
                             "status": "401"}, (s, b))
    s, _, b = fetch(gh.url + "/user", headers={k: v for k, v in auth.items()
                                               if k != "Authorization"})
    check(s == 401 and b["message"] == "Requires authentication", (s, b))
    s, _, b = fetch(gh.url + "/user", headers=dict(auth, Authorization="token ghp_test"))
    check(s == 200, s)
    req = urllib.request.Request(gh.url + "/user", headers={"Authorization": "Bearer ghp_test"})
    req.remove_header("User-agent")
    opener = urllib.request.build_opener()
    opener.addheaders = []
    try:
        opener.open(req, timeout=5)
        check(False, "no User-Agent accepted")
    except urllib.error.HTTPError as e:
        check(e.code == 403 and b"User-Agent" in e.read(), e.code)
    gh.rate_limited = True
    s, h, b = gh_search("is:pr")
    check(s == 403 and b["message"] == "API rate limit exceeded for user ID 1."
          and h["x-ratelimit-remaining"] == "0", (s, b, dict(h)))
    gh.rate_limited = False
    gh.fail_on = {"/search/": (502, {"message": "Server Error"})}
    s, _, b = gh_search("is:pr")
    check(s == 502, s)
    s, _, b = fetch(gh.url + "/user", headers=auth)
    check(s == 200, s)
    check(gh.calls("/search/issues")[0].param("q") == "is:open is:pr review-requested:@me"
          and gh.calls("/search/issues")[0].header("accept") == "application/vnd.github+json",
          gh.calls("/search/issues")[0])
    gh.close()

    # Google
    g = FakeGoogle()
    g.events = [
        {"summary": "Standup", "location": "Room 1", "start": "2026-12-02T09:00:00+01:00",
         "end": "2026-12-02T09:15:00+01:00", "response": "accepted"},
        {"summary": "Holiday", "start": "2026-12-03", "end": "2026-12-04"},
        {"summary": "Declined thing", "start": "2026-12-02T14:00:00Z",
         "end": "2026-12-02T15:00:00Z", "response": "declined"},
        {"summary": "Next week", "start": "2026-12-09T10:00:00+01:00",
         "end": "2026-12-09T11:00:00+01:00"},
        {"summary": "Gone", "status": "cancelled", "start": "2026-12-02T11:00:00+01:00",
         "end": "2026-12-02T12:00:00+01:00"},
    ]
    base_t = 1796200000  # 2026-12-02
    g.messages = [
        {"id": "18c1a", "thread": "t1", "from": "Alice <alice@example.com>",
         "subject": "Lunch?", "snippet": "Shall we meet at 12? It's sunny", "date": base_t,
         "labels": ["INBOX", "UNREAD", "CATEGORY_PERSONAL"]},
        {"id": "18c1b", "thread": "t2", "from": "bob@example.com", "subject": "Report",
         "snippet": "Attached", "date": base_t - 3600, "labels": ["INBOX"]},
        {"id": "18c1c", "thread": "t1", "from": g.email, "to": "alice@example.com",
         "subject": "Re: Lunch?", "snippet": "Yes", "date": base_t + 60, "labels": ["SENT"]},
        {"id": "18c1d", "thread": "t3", "from": "spam@example.com", "subject": "Win",
         "snippet": "now", "date": base_t, "labels": ["SPAM", "UNREAD"]},
    ]
    bearer = {"Authorization": "Bearer " + g.token}
    cal = g.url + "/calendar/v3/calendars/primary/events?"
    window = {"timeMin": "2026-12-02T00:00:00+01:00", "timeMax": "2026-12-05T00:00:00+01:00",
              "singleEvents": "true", "orderBy": "startTime"}
    s, h, b = fetch(cal + urllib.parse.urlencode(window), headers=bearer)
    check(s == 200 and b["kind"] == "calendar#events" and b["timeZone"] == "Europe/Amsterdam",
          (s, b))
    check([e["summary"] for e in b["items"]] == ["Standup", "Declined thing", "Holiday"], b)
    check(b["items"][0]["start"] == {"dateTime": "2026-12-02T09:00:00+01:00",
                                     "timeZone": "Europe/Amsterdam"}, b["items"][0])
    check(b["items"][1]["start"]["dateTime"] == "2026-12-02T15:00:00+01:00", b["items"][1])
    check(b["items"][2]["start"] == {"date": "2026-12-03"}, b["items"][2])
    check(b["items"][1]["attendees"] == [{"email": g.email, "self": True,
                                          "responseStatus": "declined"}], b["items"][1])
    check(h["Content-Type"] == "application/json; charset=UTF-8", dict(h))
    s, _, b = fetch(cal + urllib.parse.urlencode(dict(window, timeZone="UTC")), headers=bearer)
    check(b["items"][0]["start"]["dateTime"] == "2026-12-02T08:00:00Z", b["items"][0])
    s, _, b = fetch(cal + urllib.parse.urlencode(dict(window, singleEvents="false")),
                    headers=bearer)
    check(s == 400 and "ordering" in b["error"]["message"] and "status" not in b["error"], b)
    s, _, b = fetch(cal + urllib.parse.urlencode(dict(window, timeMin="2026-12-02T00:00:00")),
                    headers=bearer)
    check(s == 400 and b["error"]["errors"][0]["reason"] == "badRequest", b)
    s, _, b = fetch(cal + "timeMin=2026-12-02T00:00:00+01:00&timeMax=2026-12-05T00:00:00%2B01:00",
                    headers=bearer)
    check(s == 400 and b["error"]["message"] == "Bad Request", b)
    s, _, b = fetch(g.url + "/calendar/v3/calendars/nobody%40example.com/events", headers=bearer)
    check(s == 404, s)
    new_event = {"summary": "Dentist", "start": {"dateTime": "2026-12-04T10:00:00+01:00"},
                 "end": {"dateTime": "2026-12-04T10:30:00+01:00"}}
    s, _, b = fetch(g.url + "/calendar/v3/calendars/primary/events", "POST", bearer, new_event)
    check(s == 200 and b["id"] and b["status"] == "confirmed" and b["summary"] == "Dentist"
          and g.created[0]["id"] == b["id"], b)
    s, _, b = fetch(cal + urllib.parse.urlencode(window), headers=bearer)
    check("Dentist" in [e["summary"] for e in b["items"]], b)
    s, _, b = fetch(g.url + "/calendar/v3/calendars/primary/events", "POST", bearer,
                    {"summary": "x", "start": {"date": "2026-12-04"}})
    check(s == 400 and b["error"]["message"] == "Missing end time.", b)

    gm = g.url + "/gmail/v1/users/me/"
    s, _, b = fetch(gm + "messages?" + urllib.parse.urlencode(
        {"q": "is:unread in:inbox", "maxResults": "10"}), headers=bearer)
    check(s == 200 and b == {"messages": [{"id": "18c1a", "threadId": "t1"}],
                             "resultSizeEstimate": 1}, b)
    s, _, b = fetch(gm + "messages?q=" + urllib.parse.quote("in:sent"), headers=bearer)
    check([m["id"] for m in b["messages"]] == ["18c1c"], b)
    s, _, b = fetch(gm + "messages?q=" + urllib.parse.quote("from:nobody"), headers=bearer)
    check(s == 200 and b == {"resultSizeEstimate": 0}, b)
    s, _, b = fetch(gm + "messages/18c1a?format=metadata&metadataHeaders=From"
                    "&metadataHeaders=Subject&metadataHeaders=Date", headers=bearer)
    check(s == 200 and b["internalDate"] == str(base_t * 1000) and
          [x["name"] for x in b["payload"]["headers"]] == ["From", "Subject", "Date"] and
          b["snippet"] == "Shall we meet at 12? It&#39;s sunny" and "UNREAD" in b["labelIds"], b)
    s, _, b = fetch(gm + "messages/nope?format=metadata", headers=bearer)
    check(s == 404 and b["error"]["status"] == "NOT_FOUND", b)
    s, _, b = fetch(gm + "threads?q=" + urllib.parse.quote("in:inbox"), headers=bearer)
    check([t["id"] for t in b["threads"]] == ["t1", "t2"], b)
    s, _, b = fetch(gm + "threads/t1?format=metadata&metadataHeaders=Subject", headers=bearer)
    check(s == 200 and [m["id"] for m in b["messages"]] == ["18c1a", "18c1c"], b)
    reply = email.message.EmailMessage()
    reply["To"] = "alice@example.com"
    reply["Subject"] = "Re: Lunch?"
    reply["In-Reply-To"] = "<18c1a@mail.example.com>"
    reply["References"] = "<18c1a@mail.example.com>"
    reply.set_content("See you at 12.")
    s, _, b = fetch(gm + "messages/send", "POST", bearer,
                    {"raw": _b64url(reply.as_bytes()), "threadId": "t1"})
    check(s == 200 and b["threadId"] == "t1" and b["labelIds"] == ["SENT"], b)
    check(g.sent[0]["body"].strip() == "See you at 12." and g.sent[0]["to"] ==
          "alice@example.com" and g.sent[0]["in_reply_to"] == "<18c1a@mail.example.com>", g.sent)
    other = email.message.EmailMessage()
    other["To"] = "alice@example.com"
    other["Subject"] = "Something else"
    other.set_content("hi")
    s, _, b = fetch(gm + "messages/send", "POST", bearer,
                    {"raw": _b64url(other.as_bytes()), "threadId": "t1"})
    check(s == 200 and b["threadId"] != "t1", b)
    s, _, b = fetch(gm + "messages/send", "POST", bearer, {"threadId": "t1"})
    check(s == 400 and b["error"]["status"] == "INVALID_ARGUMENT", b)

    # Auth: missing, wrong, expired; refresh; revoked; wrong client
    s, h, b = fetch(gm + "messages")
    check(s == 401 and b["error"]["errors"][0]["reason"] == "required", b)
    s, h, b = fetch(gm + "messages", headers={"Authorization": "Bearer nope"})
    check(s == 401 and b["error"]["status"] == "UNAUTHENTICATED" and
          b["error"]["errors"][0]["reason"] == "authError" and
          "invalid_token" in h["WWW-Authenticate"], b)
    g.expire_access_token()
    s, _, b = fetch(gm + "messages", headers=bearer)
    check(s == 401 and b["error"]["code"] == 401, b)
    s, _, b = fetch(g.url + "/token", "POST", form={
        "grant_type": "refresh_token", "refresh_token": g.refresh_token,
        "client_id": g.client_id, "client_secret": g.client_secret})
    check(s == 200 and b["token_type"] == "Bearer" and b["expires_in"] == 3599 and
          "refresh_token" not in b and g.refreshes == 1, b)
    s, _, b = fetch(gm + "messages", headers={"Authorization": "Bearer " + b["access_token"]})
    check(s == 200, (s, b))
    s, _, b = fetch(g.url + "/token", "POST", form={
        "grant_type": "refresh_token", "refresh_token": g.refresh_token,
        "client_id": "someone-else", "client_secret": g.client_secret})
    check(s == 401 and b == {"error": "invalid_client",
                             "error_description": "The OAuth client was not found."}, b)
    g.revoked = True
    s, _, b = fetch(g.url + "/token", "POST", form={
        "grant_type": "refresh_token", "refresh_token": g.refresh_token,
        "client_id": g.client_id, "client_secret": g.client_secret})
    check(s == 400 and b == {"error": "invalid_grant",
                             "error_description": "Token has been expired or revoked."}, b)
    g.revoked = False

    # Authorization code with PKCE
    verifier = secrets.token_urlsafe(48)
    code = g.expect_challenge(_s256(verifier), redirect_uri="http://127.0.0.1:9/oauth/callback")
    exchange = {"grant_type": "authorization_code", "code": code,
                "redirect_uri": "http://127.0.0.1:9/oauth/callback",
                "client_id": g.client_id, "client_secret": g.client_secret}
    s, _, b = fetch(g.url + "/token", "POST", form=exchange)
    check(s == 400 and b["error_description"] == "Missing code verifier.", b)
    s, _, b = fetch(g.url + "/token", "POST", form=dict(exchange, code_verifier="x" * 43))
    check(s == 400 and b["error_description"] == "Invalid code verifier.", b)
    s, _, b = fetch(g.url + "/token", "POST", form=dict(exchange, code_verifier=verifier,
                                                        redirect_uri="http://elsewhere/"))
    check(s == 400 and b["error"] == "redirect_uri_mismatch", b)
    s, _, b = fetch(g.url + "/token", "POST", form=dict(exchange, code_verifier=verifier))
    check(s == 200 and list(b) == ["access_token", "expires_in", "refresh_token", "scope",
                                   "token_type"], b)
    check(g.token_requests[-1]["code_verifier"] == verifier, g.token_requests[-1])
    s, _, b2 = fetch(g.url + "/token", "POST", form=dict(exchange, code_verifier=verifier))
    check(s == 400 and b2["error"] == "invalid_grant", b2)
    s, _, _ = fetch(gm + "messages", headers={"Authorization": "Bearer " + b["access_token"]})
    check(s == 200, s)
    basic = base64.b64encode(("%s:%s" % (g.client_id, g.client_secret)).encode()).decode()
    s, _, b = fetch(g.url + "/token", "POST", headers={"Authorization": "Basic " + basic},
                    form={"grant_type": "refresh_token", "refresh_token": g.refresh_token})
    check(s == 200, b)

    g.fail_with = FakeGoogle.insufficient_permissions("gmail")
    s, _, b = fetch(gm + "messages", headers={"Authorization": "Bearer " + g.token})
    check(s == 403 and b["error"]["errors"][0]["reason"] == "insufficientPermissions", b)
    g.fail_with = None
    g.fail_on = {"/token": ("reset",)}
    try:
        fetch(g.url + "/token", "POST", form=exchange)
        check(False, "reset did not reset")
    except OSError:
        pass
    g.fail_on = {}
    check(g.calls("/gmail/v1/users/me/messages/send", "POST")[0].body["threadId"] == "t1",
          "send logged")
    g.close()
    print("connectors self-check: ok")
