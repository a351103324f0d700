"""`edxtui profile list|show|save|delete`: the saved profiles (and the presets)."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from edxtui.cli import secrets
from edxtui.cli.exits import EXIT_OK
from edxtui.cli.output import err
from edxtui.cli.parser import Parser
from edxtui.textsafe import visible


def add_parser(sub: Any) -> None:
    p = sub.add_parser("profile", help="list, show, save or delete saved profiles")
    psub = p.add_subparsers(title="actions", metavar="ACTION", parser_class=Parser)
    p.set_defaults(func=cmd_profile_list)
    a = psub.add_parser("list", help="list saved profiles and presets")
    a.set_defaults(func=cmd_profile_list)
    a = psub.add_parser("show", help="show a profile (never its secret)")
    a.add_argument("name", nargs="?", metavar="NAME")
    a.set_defaults(func=cmd_profile_show)
    a = psub.add_parser(
        "save",
        help="save a profile; the secret goes to the system keyring or a 0600 file",
        description="Save or update a profile. Fields not given keep their saved value, "
        "else come from --preset (or the preset of the same name). The secret is read from "
        "--client-secret-file, or asked for when stdin is a terminal.",
    )
    a.add_argument("name", metavar="NAME")
    a.add_argument("--preset", choices=("edx.org", "openedx", "sandbox"))
    a.add_argument("--token-url", metavar="URL")
    a.add_argument("--api-url", metavar="URL")
    a.add_argument("--client-id", metavar="ID")
    a.add_argument("--client-secret-file", metavar="FILE", help="'-' reads stdin")
    a.add_argument("--no-secret", action="store_true", help="don't ask for a secret")
    a.add_argument(
        "--insecure",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="allow plain http to a host that is not loopback",
    )
    a.add_argument("--default", action="store_true", help="make it the default profile")
    a.set_defaults(func=cmd_profile_save)
    a = psub.add_parser("delete", help="delete a saved profile and its secret")
    a.add_argument("name", metavar="NAME")
    a.set_defaults(func=cmd_profile_delete)


def cmd_profile_list(args: argparse.Namespace) -> int:
    from edxtui import config

    cfg = config.load_config()
    for warning in cfg.warnings:
        err(f"warning: {warning}")
    for name, profile in cfg.profiles.items():
        mark = "*" if name == cfg.default else " "
        print(f"{mark} {visible(name)}\t{visible(profile.api_root)}")
    for name, preset in config.presets().items():
        if name not in cfg.profiles:
            print(f"  {name}\t(preset: {preset.description})")
    return EXIT_OK


def cmd_profile_show(args: argparse.Namespace) -> int:
    from edxtui import config

    cfg = config.load_config()
    name = args.name or cfg.default
    if name is None:
        raise config.ConfigError("no default profile", "name one: edxtui profile show NAME")
    if name in cfg.profiles:
        profile = cfg.profiles[name]
        _, where = config.stored_secret(name, cfg)
        secret = {"file": f"in {cfg.path}", "keyring": "in the system keyring"}.get(where, "none")
        origin = "saved" + (", default" if name == cfg.default else "")
    elif name in config.presets():
        preset = config.presets()[name]
        profile = preset.profile
        secret = "built in" if preset.client_secret else "none"
        origin = f"preset: {preset.description}"
    else:
        raise config.ConfigError(f"unknown profile {name!r}", config.known_profiles_hint(cfg))
    for key, value in (
        ("name", profile.name),
        ("origin", origin),
        ("token_url", profile.token_url),
        ("api_root", profile.api_root),
        ("client_id", profile.client_id),
        ("insecure", str(profile.insecure).lower()),
        ("secret", secret),
    ):
        print(f"{key:10} {visible(value)}")
    return EXIT_OK


def cmd_profile_save(args: argparse.Namespace) -> int:
    from dataclasses import replace

    from edxtui import config

    cfg = config.load_config()
    config.check_name(args.name)
    presets = config.presets()
    if args.preset:
        base = replace(presets[args.preset].profile, name=args.name)
    elif args.name in cfg.profiles:
        base = cfg.profiles[args.name]
    elif args.name in presets:
        base = presets[args.name].profile
    else:
        base = config.Profile(args.name, "", "", "")
    profile = replace(
        base,
        token_url=args.token_url or base.token_url,
        api_root=args.api_url or base.api_root,
        client_id=args.client_id if args.client_id is not None else base.client_id,
        insecure=base.insecure if args.insecure is None else args.insecure,
    )
    for what, value, flag in (
        ("token URL", profile.token_url, "--token-url"),
        ("API root", profile.api_root, "--api-url"),
        ("client id", profile.client_id, "--client-id"),
    ):
        if not value:
            raise config.ConfigError(f"profile {args.name} needs a {what}", f"pass {flag}")

    secret: str | None = None
    if args.client_secret_file:
        secret = config.read_secret_file(args.client_secret_file)
    elif (builtin := presets.get(args.preset or args.name)) and builtin.client_secret:
        secret = builtin.client_secret  # the sandbox's published demo secret
    elif not args.no_secret and sys.stdin.isatty():
        import getpass

        secret = getpass.getpass(f"client secret for {args.name} (empty: keep the saved one): ")
        secret = secret or None
    if secret:
        secrets.values.add(secret)
    result = config.save_profile(profile, secret, make_default=args.default or None)
    print(f"profile {args.name} saved in {result.path}")
    if result.storage != "none":
        print(result.message)
    elif config.stored_secret(args.name, cfg)[0] is None and args.name not in presets:
        err("note: no client secret saved; use --client-secret-file or EDXTUI_CLIENT_SECRET")
    return EXIT_OK


def cmd_profile_delete(args: argparse.Namespace) -> int:
    from edxtui import config

    config.delete_profile(args.name)
    print(f"profile {args.name} deleted (and its secret)")
    return EXIT_OK
