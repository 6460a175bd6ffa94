"""Sending one message to one target: a JSON webhook over httpx, or any other channel through Apprise.

Each delivery checks the target's address again (targets.check_address: DNS may have changed since the
subscription was added), has a timeout, and follows no redirect. A webhook is posted to the address that
was checked, with the host's name for the Host header and TLS, as fetching does (sources/fetch.py).
"""

import hashlib
import hmac
import json

import httpx

from versioner.errors import DeliveryFailed, FetchError, PrivateAddress
from versioner.notify.targets import check_address, is_webhook
from versioner.sources.deadline import Deadline

TIMEOUT_SECONDS = 10.0
USER_AGENT = "versioner-notify/0.1 (+https://github.com/versioner)"
SIGNATURE_HEADER = "X-Versioner-Signature"


def deliver(
    target: str,
    *,
    allow_private: bool,
    secret: str | None,
    subject: str,
    text: str,
    message: dict,
    timeout: float = TIMEOUT_SECONDS,
) -> None:
    """Send the message; DeliveryFailed (with why) when it did not arrive."""
    try:
        addresses = check_address(target, allow_private)
    except (PrivateAddress, FetchError) as err:
        raise DeliveryFailed(str(err)) from None
    if is_webhook(target):
        _post_json(target, addresses, secret, message, timeout)
    else:
        _apprise(target, subject, text)


def signature(secret: str, body: bytes) -> str:
    """The X-Versioner-Signature value: a receiver recomputes it over the raw body to trust the message."""
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def _post_json(url: str, addresses: list[str], secret: str | None, message: dict, timeout: float) -> None:
    """POST to the checked addresses in turn, within one deadline over every phase (sources/deadline.py):
    a receiver that drips its answer a byte at a time holds a thread no longer than `timeout`."""
    body = json.dumps(message, ensure_ascii=False).encode()
    target = httpx.URL(url)
    headers = {
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
        "Host": target.netloc.decode("ascii"),
    }
    if secret:
        headers[SIGNATURE_HEADER] = signature(secret, body)
    deadline = Deadline(timeout)
    extensions = {"trace": deadline.trace}
    if target.scheme == "https":
        extensions["sni_hostname"] = target.raw_host.decode("ascii")
    # trust_env=False: a proxy from the environment would connect elsewhere than the address checked.
    with httpx.Client(timeout=httpx.Timeout(timeout), trust_env=False, follow_redirects=False) as client:
        deadline.start()
        try:
            response = _first_answer(client, target, addresses, body, headers, extensions)
        except httpx.HTTPError as err:
            if deadline.expired or isinstance(err, httpx.TimeoutException):
                raise DeliveryFailed(f"no answer within {timeout:g} s") from None
            raise DeliveryFailed(f"{type(err).__name__}: {err}") from None
        finally:
            deadline.cancel()
    if response.is_success:
        return
    if response.is_redirect:
        raise DeliveryFailed(f"answered {response.status_code} (redirects are not followed)")
    raise DeliveryFailed(f"answered {response.status_code} {response.reason_phrase}")


def _first_answer(client, target, addresses, body, headers, extensions) -> httpx.Response:
    """The answer of the first address that takes the connection."""
    for index, address in enumerate(addresses):
        request = client.build_request(
            "POST", target.copy_with(host=address), content=body, headers=headers, extensions=extensions
        )
        try:
            return client.send(request)
        except httpx.ConnectError:
            if index == len(addresses) - 1:
                raise
    raise httpx.ConnectError("no address to connect to")


def _apprise(target: str, subject: str, text: str) -> None:
    import apprise  # imported here: a run with webhooks only never loads its hundred plugins

    channel = apprise.Apprise()
    if not channel.add(target):
        raise DeliveryFailed("Apprise does not accept this URL")
    result = channel.notify(body=text, title=subject)
    if not result:
        # The result keeps the channel's own log of this send (Apprise 2.3): its reason, not another's.
        said = [entry.message for entry in result.logs() if entry.level in ("WARNING", "ERROR")]
        raise DeliveryFailed(said[-1] if said else "Apprise could not send it")
