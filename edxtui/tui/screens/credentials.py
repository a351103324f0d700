"""The credentials screen: pick or type a profile, test it, save it, connect with it.

"Test" fetches one token with a throwaway Session, then the API root's catalog list (one
item), and says which of the two URLs failed and why. "Save" stores the profile through
edxtui.config (secret in the keyring, else a 0600 file), says where, and makes it the
default only when "make default" is ticked. "Connect" hands the credentials to the app,
which replaces its session.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Grid, Horizontal, VerticalScroll
from textual.screen import Screen
from textual.widgets import Button, Checkbox, Footer, Input, Label, Select, Static

from edxtui import config
from edxtui.api.credentials import Credentials
from edxtui.api.errors import ApiError, ConfigError, EdxError
from edxtui.api.urls import check_url
from edxtui.tui.text import countdown, local_time, safe

#: the Select value of the sandbox this very run started (edxtui --sandbox)
EMBEDDED = "\0embedded-sandbox"

if TYPE_CHECKING:
    from edxtui.api.state import TokenState
    from edxtui.tui.app import EdxApp


class CredentialsScreen(Screen[None]):
    """Edits credentials; `embedded` are the credentials of a sandbox started by this run."""

    BINDINGS = [
        Binding("escape", "back", "Back to explorer"),
        Binding("ctrl+t", "test", "Test"),
        Binding("ctrl+s", "save", "Save"),
        Binding("ctrl+o", "connect", "Connect"),
        Binding("ctrl+q", "app.quit", "Quit"),
    ]

    def __init__(
        self,
        *,
        current: Credentials | None = None,
        current_name: str | None = None,
        embedded: Credentials | None = None,
    ) -> None:
        super().__init__()
        self.current = current
        self.current_name = current_name
        self.embedded = embedded

    # ----- layout -----------------------------------------------------------------------

    def _options(self) -> list[tuple[str, str]]:
        options: list[tuple[str, str]] = []
        if self.embedded is not None:
            options.append(("sandbox (started by this run)", EMBEDDED))
        try:
            cfg = config.load_config()
            saved = list(cfg.profiles)
        except EdxError:
            saved = []
        for name in saved:
            options.append((f"{name} (saved)", name))
        for name in config.presets():
            if name not in saved:
                options.append((f"{name} (preset)", name))
        return options

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="credentials-form"):
            title = Text("Connect to an edX Course Catalog API", style="bold")
            title.append(
                "\nNo credentials yet? Quit (ctrl+q) and run `edxtui --sandbox`, or start "
                "`edxtui sandbox` in another terminal and pick the sandbox preset.",
                style="dim",
            )
            yield Static(title, id="credentials-title")
            with Grid(id="credentials-grid"):
                yield Label("Profile")
                yield Select(
                    self._options(),
                    prompt="pick a preset or a saved profile",
                    id="profile",
                    allow_blank=True,
                    compact=True,
                )
                yield Label("Name (for Save)")
                yield Input(placeholder="e.g. my-edx", id="name", compact=True)
                # Placeholders say "e.g.": an empty field must not pass for a filled one.
                yield Label("Token URL")
                yield Input(
                    placeholder="e.g. https://LMS.example.org/oauth2/access_token",
                    id="token-url",
                    compact=True,
                )
                yield Label("API root")
                yield Input(
                    placeholder="e.g. https://DISCOVERY.example.org/api/v1/",
                    id="api-root",
                    compact=True,
                )
                yield Label("Client ID")
                yield Input(
                    placeholder="(paste it from your API application)", id="client-id", compact=True
                )
                yield Label("Client secret")
                with Horizontal(id="secret-row"):
                    yield Input(
                        placeholder="(paste it from your API application)",
                        password=True,
                        id="client-secret",
                        compact=True,
                    )
                    yield Button("Show", id="reveal-secret", compact=True)
            yield Checkbox(
                "Allow plain http to a host other than this machine (insecure)",
                id="insecure",
                compact=True,
            )
            yield Checkbox(
                "Make it the default profile on Save (plain `edxtui` opens it)",
                id="make-default",
                compact=True,
            )
            with Horizontal(id="credentials-buttons", classes="buttons"):
                yield Button("Test", id="test", compact=True)
                yield Button("Save", id="save", compact=True)
                yield Button("Connect", id="connect", variant="primary", compact=True)
            yield Static(id="outcome")
        yield Footer()

    def on_mount(self) -> None:
        select = self.query_one("#profile", Select)
        if self.current is not None and self.current == self.embedded:
            select.value = EMBEDDED
        elif self.current is not None:
            self._fill(self.current, self.current_name or "")
            self._default_box(self.current_name)
        elif self.embedded is not None:
            select.value = EMBEDDED
        else:  # a first run: start from the first preset (or saved profile), not from nothing
            options = self._options()
            if options:
                select.value = options[0][1]
            else:
                self._default_box(None)
        select.focus()

    def _default_box(self, name: str | None) -> None:
        """Tick "make default" when `name` is the default profile, or there is none yet."""
        try:
            default = config.load_config().default
        except EdxError:
            default = None
        self.query_one("#make-default", Checkbox).value = default is None or default == name

    # ----- fields -----------------------------------------------------------------------

    def _fill(self, creds: Credentials | Any, name: str, secret: str | None = None) -> None:
        self.query_one("#name", Input).value = name
        self.query_one("#token-url", Input).value = creds.token_url
        self.query_one("#api-root", Input).value = creds.api_root
        self.query_one("#client-id", Input).value = creds.client_id
        if secret is None:
            secret = getattr(creds, "client_secret", "") or ""
        self.query_one("#client-secret", Input).value = secret
        self.query_one("#insecure", Checkbox).value = bool(getattr(creds, "insecure", False))

    @on(Select.Changed, "#profile")
    def _picked(self, event: Select.Changed) -> None:
        value = event.value
        if value is Select.BLANK or not isinstance(value, str):
            return
        outcome = self.query_one("#outcome", Static)
        self._default_box(value)
        if value == EMBEDDED and self.embedded is not None:
            self._fill(self.embedded, "sandbox")
            outcome.update(Text("The sandbox this run started: Connect to use it.", style="dim"))
            return
        try:
            cfg = config.load_config()
        except EdxError as err:
            self._say_error(err)
            return
        if value in cfg.profiles:
            secret, where = config.stored_secret(value, cfg)
            self._fill(cfg.profiles[value], value, secret or "")
            note = (
                f"Saved profile; secret from the {where}."
                if where
                else "Saved profile; no secret stored: type it."
            )
            outcome.update(Text(note, style="dim"))
            return
        preset = config.presets().get(value)
        if preset is not None:
            self._fill(preset.profile, value, preset.client_secret or "")
            outcome.update(Text(safe(preset.description).plain, style="dim"))

    def _fields(self) -> tuple[str, Credentials]:
        """The profile name and credentials typed in; ConfigError when a URL is unusable."""
        name = self.query_one("#name", Input).value.strip()
        insecure = self.query_one("#insecure", Checkbox).value
        token_url = check_url(
            self.query_one("#token-url", Input).value.strip(), what="token URL", insecure=insecure
        )
        api_root = check_url(
            self.query_one("#api-root", Input).value.strip(), what="API root", insecure=insecure
        )
        client_id = self.query_one("#client-id", Input).value.strip()
        if not client_id:
            raise ConfigError(
                "the client id is empty", "paste the client id of your API application"
            )
        secret = self.query_one("#client-secret", Input).value
        if not secret:
            raise ConfigError(
                "the client secret is empty", "paste the client secret of your API application"
            )
        return name, Credentials(token_url, api_root, client_id, secret, insecure)

    def _say_error(self, err: BaseException) -> None:
        self.query_one("#outcome", Static).update(failure("", err))

    # ----- actions ----------------------------------------------------------------------

    @on(Button.Pressed, "#reveal-secret")
    def _toggle_secret(self) -> None:
        box = self.query_one("#client-secret", Input)
        box.password = not box.password
        self.query_one("#reveal-secret", Button).label = "Show" if box.password else "Hide"

    @on(Button.Pressed, "#test")
    def action_test(self) -> None:
        try:
            _name, creds = self._fields()
        except EdxError as err:
            self._say_error(err)
            return
        self.query_one("#outcome", Static).update(
            Text("Testing: asking the token URL for a token…", style="bold")
        )
        self._test(creds)

    @work(exclusive=True, group="credentials-test", exit_on_error=False)
    async def _test(self, creds: Credentials) -> None:
        """The token URL first, then the API root's catalog list: each says how it went."""
        from edxtui.api.bounds import bounds_from
        from edxtui.api.catalog import catalogs
        from edxtui.api.session import Session

        outcome = self.query_one("#outcome", Static)
        try:
            async with Session(creds, bounds=bounds_from()) as session:
                try:
                    await session.tokens.get_token()
                except Exception as err:  # noqa: BLE001 - shown inline, never a traceback
                    text = failure("No token from the token URL: ", err)
                    text.append("\n· the API root is not tested: it needs a token", style="dim")
                    outcome.update(text)
                    return
                text = self._token_ok(session.tokens.state())
                outcome.update(text + Text("\nTesting the API root: its catalog list…"))
                try:
                    page, _exchange = await session.get_json(catalogs(), {"limit": 1})
                except Exception as err:  # noqa: BLE001
                    outcome.update(text + Text("\n") + api_root_failure(err))
                    return
        except Exception as err:  # noqa: BLE001 - the session would not open
            self._say_error(err)
            return
        if not isinstance(page, dict) or not isinstance(page.get("results"), list):
            problem = EdxError(
                "the API root answered, but not with a list of catalogs", API_ROOT_HINT
            )
            outcome.update(text + Text("\n") + failure("Wrong API root? ", problem))
            return
        text.append("\n✓ API root OK", style="bold green")
        count = page.get("count")
        shown = f"{count:,}" if isinstance(count, int) else "some"
        text.append(f": its catalog list answers ({shown} catalog{'' if count == 1 else 's'})")
        outcome.update(text)

    def _token_ok(self, state: TokenState) -> Text:
        text = Text("✓ Token OK", style="bold green")
        text.append(f": valid for {countdown(state.seconds_left)}")
        if state.expires_at is not None:
            hidden = getattr(self.app, "stable", False)  # snapshots: no wall-clock times
            text.append(f", expires {'(time hidden)' if hidden else local_time(state.expires_at)}")
        user = (state.jwt_claims or {}).get("preferred_username")
        if user is not None:
            text.append(" · user ")
            text.append_text(safe(user, limit=40))
        return text

    @on(Button.Pressed, "#save")
    def action_save(self) -> None:
        try:
            name, creds = self._fields()
            if not name:
                raise ConfigError(
                    "the profile needs a name to be saved", "type one under Profile name"
                )
            profile = config.Profile(
                name, creds.token_url, creds.api_root, creds.client_id, creds.insecure
            )
            make_default = self.query_one("#make-default", Checkbox).value
            result = config.save_profile(profile, creds.client_secret, make_default=make_default)
            default = config.load_config().default
        except EdxError as err:
            self._say_error(err)
            return
        # Whether it is the default now is said, never left to guess.
        if default == name:
            is_default = "it is the default profile"
        elif default:
            is_default = f"the default stays {safe(default).plain}"
        else:
            is_default = "there is no default profile"
        text = Text("✓ Saved profile ", style="bold green")
        text.append_text(safe(name, "bold"))
        text.append(": ")
        text.append_text(safe(result.message))
        text.append(f"; {is_default}")
        self.query_one("#outcome", Static).update(text)
        self.notify(f"Saved profile {safe(name).plain}: {safe(result.message).plain}; {is_default}")

    @on(Button.Pressed, "#connect")
    def action_connect(self) -> None:
        try:
            name, creds = self._fields()
        except EdxError as err:
            self._say_error(err)
            return
        self.query_one("#outcome", Static).update(Text("Connecting…", style="bold"))
        app = cast("EdxApp", self.app)  # this screen only ever runs in EdxApp
        app.run_worker(app.connect(creds, name or None), exit_on_error=False)

    def action_back(self) -> None:
        if getattr(self.app, "session", None) is not None and len(self.app.screen_stack) > 2:
            self.app.pop_screen()
        else:
            self.notify("Connect first (or ctrl+q to quit)", severity="warning")


#: what a wrong API root looks like from the catalog list, and what to do
API_ROOT_HINT = (
    "check the API root: it ends in /api/v1/ on Open edX (the discovery service's host) "
    "or /catalog/v1/ on the edX.org gateway"
)


def failure(what: str, err: BaseException) -> Text:
    """`✗ what: message` and its hint on the next line, as plain text."""
    text = Text("✗ ", style="bold red")
    text.append(what, style="bold red")
    if isinstance(err, EdxError):
        text.append_text(safe(err.message, "red"))
        if err.hint:
            text.append("\n")
            text.append_text(safe(err.hint))
    else:
        text.append(f"unexpected {type(err).__name__}", style="red")
    return text


def api_root_failure(err: BaseException) -> Text:
    """The catalog list failed: a 404 (or the edX.org gateway's 403 for a path it does not
    serve) means the API root is wrong; anything else is shown as it is."""
    if isinstance(err, ApiError) and (
        err.status == 404 or (err.status == 403 and err.detail == "Missing Authentication Token")
    ):
        return failure(
            "Wrong API root: ", ApiError(err.message, API_ROOT_HINT, status=err.status, url=err.url)
        )
    return failure("The API root failed: ", err)
