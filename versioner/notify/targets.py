"""Where a message may go: webhook and Apprise URLs, judged by the address rules of fetching, and
shown with their secrets hidden.

A target on a loopback, private, link-local or metadata address is refused unless the subscription was
added with --allow-private (never a metadata one: versioner/sources/addresses.py); the check is made when
the subscription is added and again before each delivery, since DNS may answer differently later.
"""

import ipaddress
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from versioner.errors import BadURL, FetchError, PrivateAddress
from versioner.sources.addresses import resolve

WEBHOOK_SCHEMES = ("http", "https")
# Query parameters that carry a credential in webhook URLs people paste (Slack, Discord, ntfy, Matrix).
SECRET_PARAMS = ("token", "key", "secret", "password", "pass", "auth", "sig", "signature", "access_token")


def is_webhook(target: str) -> bool:
    return target.partition(":")[0].strip().lower() in WEBHOOK_SCHEMES


def _parts(target: str):
    """The URL's parts, its port read; BadURL for one that cannot be read (an open bracket, port 99999)."""
    try:
        parts = urlsplit(target)
        parts.port  # noqa: B018  (reading it is the check)
    except ValueError as err:
        raise BadURL(f"the target URL cannot be read: {err}") from None
    return parts


def check_target(target: str, allow_private: bool) -> None:
    """BadURL for a target that is no webhook and no URL Apprise knows; PrivateAddress for one whose
    host may not be reached; a host that cannot be resolved now is allowed (it may be later)."""
    target = target.strip()
    if is_webhook(target):
        parts = _parts(target)
        if not parts.hostname:
            raise BadURL(f"the webhook URL {redact(target)!r} has no host")
    elif _apprise_plugin(target) is None:
        raise BadURL(
            f"{redact(target)!r} is neither an http(s):// webhook nor a URL Apprise knows "
            "(mailto://, slack://, matrix://, tgram://, ntfy://, discord://, json://, ...)"
        )
    try:
        check_address(target, allow_private, unresolved_ok=True)
    except PrivateAddress as err:
        if "metadata" in str(err):
            raise
        said = str(err).split(" (")[0]  # fetching's hint names track and feeds; this one names notify add
        raise PrivateAddress(
            f"{said} (add the subscription with --allow-private, or allow_private in the API, to send to it)"
        ) from None


def check_address(target: str, allow_private: bool, unresolved_ok: bool = False) -> list[str]:
    """The checked addresses of the target's host ([] where the service's host is fixed by Apprise)."""
    host, port = network_host(target)
    if not host:
        return []
    try:
        return resolve(host, port, allow_private, within=10)
    except FetchError:
        if unresolved_ok:
            return []
        raise


def network_host(target: str) -> tuple[str, int]:
    """The host a delivery connects to and its port; ("", 0) for a service Apprise reaches at a fixed
    host (Slack, Telegram, Discord: their URLs hold tokens where a host would be)."""
    if is_webhook(target):
        parts = _parts(target)
        return parts.hostname or "", parts.port or (443 if parts.scheme.lower() == "https" else 80)
    plugin = _apprise_plugin(target)
    if plugin is None:
        return "", 0
    host = getattr(plugin, "smtp_host", None) or getattr(plugin, "host", None) or ""
    if not _looks_like_host(host):
        return "", 0
    port = getattr(plugin, "port", None) or (443 if getattr(plugin, "secure", False) else 80)
    return host, int(port)


def redact(target: str) -> str:
    """The target with passwords, tokens and secret query values hidden, as list and JSON show it."""
    if not is_webhook(target):
        plugin = _apprise_plugin(target)
        if plugin is not None:
            return plugin.url(privacy=True)
        return target.partition(":")[0][:20] + "://…"
    try:
        parts = _parts(target)
    except BadURL:
        return target.partition(":")[0] + "://…"
    netloc = parts.hostname or ""
    if parts.port:
        netloc += f":{parts.port}"
    if parts.username:
        netloc = f"{parts.username}:****@{netloc}" if parts.password else f"{parts.username}@{netloc}"
    query = [(k, "****" if k.lower() in SECRET_PARAMS else v) for k, v in parse_qsl(parts.query, True)]
    path = "/".join(_hidden(segment) for segment in parts.path.split("/"))
    return urlunsplit((parts.scheme, netloc, path, urlencode(query, safe="*"), ""))


def _hidden(segment: str) -> str:
    """A path segment that looks like a token (long and mixed letters and digits, or very long) shown by
    its ends only: Slack, Discord and Teams put their webhook's secret in the path."""
    letters, digits = any(c.isalpha() for c in segment), any(c.isdigit() for c in segment)
    if (len(segment) >= 16 and letters and digits) or len(segment) >= 24:
        return f"{segment[:2]}…{segment[-2:]}"
    return segment


def _looks_like_host(host: str) -> bool:
    if host == "localhost" or "." in host:
        return True
    try:
        ipaddress.ip_address(host.strip("[]"))
        return True
    except ValueError:
        return False


def _apprise_plugin(target: str):
    import apprise  # imported here: only a command or run that has an Apprise target pays for it

    return apprise.Apprise.instantiate(target, suppress_exceptions=True) or None
