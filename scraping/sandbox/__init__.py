"""The sandbox provider: a local server speaking the ScrapeCreators API with generated creators."""

from .server import SandboxConfig, SandboxServer, SandboxStats, serve_forever, start_sandbox

__all__ = ["SandboxConfig", "SandboxServer", "SandboxStats", "serve_forever", "start_sandbox"]
