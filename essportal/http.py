from django.conf import settings


def client_ip(request) -> str | None:
    """The client's address for audit and throttling. Behind PROXY_COUNT trusted proxies, each
    appends the address it saw to X-Forwarded-For, so the real client is that many from the
    right; anything further left was written by the client and is not trusted."""
    proxies = settings.AXES_IPWARE_PROXY_COUNT
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if proxies and forwarded:
        hops = [hop.strip() for hop in forwarded.split(",") if hop.strip()]
        if len(hops) >= proxies:
            return hops[-proxies]
    return request.META.get("REMOTE_ADDR") or None
