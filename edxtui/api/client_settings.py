"""The AsyncClient's TLS and cookie settings (the Session builds its one client with them)."""

from __future__ import annotations

import http.cookiejar
import ssl

from edxtui.api.credentials import Credentials


def tls_context(credentials: Credentials) -> ssl.SSLContext | bool:
    """httpx's default verification (certifi's CAs) when any URL is https; else no CAs.

    Loading the CA bundle is a large share of the time `edxtui --sandbox` takes to show
    its token (docs/performance.md). A session whose two URLs are plain http (the
    sandbox, a local Open edX) never needs it; its context trusts nothing, so an https
    redirect it is sent to fails verification: closed, not open.
    """
    urls = (credentials.token_url, credentials.api_root)
    if any(url.lower().startswith("https:") for url in urls):
        return True
    return ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)  # verifies certificates and host names


def no_cookies() -> http.cookiejar.CookieJar:
    """A cookie jar that keeps nothing: the API is authenticated by the JWT alone, and a
    session cookie from the LMS must not quietly authenticate API calls as someone else.
    (A CookieJar, not httpx.Cookies: httpx copies the latter into a jar without the policy.)"""
    return http.cookiejar.CookieJar(http.cookiejar.DefaultCookiePolicy(allowed_domains=[]))
