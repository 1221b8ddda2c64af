"""The image proxy: creator avatars and post thumbnails served from our own storage.

Platform CDN URLs answer 403 to hot-linking browsers, expire within hours and often carry HEIC,
which browsers cannot show. Pages therefore never point at a CDN: they point at
``/img/<signature>/?u=<url>&s=<size>``, a URL the app signed itself (``signing``). The proxy fetches
the CDN URL once under the SSRF rules (``fetch``), keeps the original in Django's storage under its
content hash, and serves resized JPEG or WebP renditions of it (``render``) with long cache headers.
Avatars are fetched by an actor when a creator is saved, while their CDN URL still works; anything
that cannot be fetched is shown as the creator's initial in their colour (``placeholder``).
"""
