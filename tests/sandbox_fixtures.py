"""Sandbox fixtures: sandbox_server (session), sandbox (reset per test), make_sandbox (custom).

Owned by the sandbox work; filled in with edxtui.sandbox.SandboxServer.
"""
