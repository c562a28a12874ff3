"""The interactive app: its choices and runs in Python, and the page in a real browser
(``solara run sim/app.py`` driven by a headless Chromium).

The server runs as a subprocess on a free local port; Playwright drives Debian's ``chromium``
(never a browser Playwright downloads). Without chromium the browser tests are skipped on a
developer's machine and fail on CI (``CI`` set), where ``.ci/run`` installs it.
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from sim.params import BOUNDS
from sim.webapp import TITLE
from sim.webapp.choices import (
    MAIN_ESTIMATES,
    REMOVABLE_GROUPS,
    Choices,
    on_step,
    other_estimates,
    params_of,
    scenario_estimates,
    scenario_of,
    weights_of,
)
from tests.conftest import ROOT

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

ON_CI = bool(os.environ.get("CI"))

#: Chromium's switches: headless, no sandbox (root in a container), and no traffic of its own.
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
#: Seconds the server may take to answer, and the first page to show its figure.
START_TIMEOUT = 60
#: Seconds a change may take to reach the page here (the app aims at under one on an idle machine;
#: CI runners are slower and shared).
UPDATE_TIMEOUT = 20
READOUT = re.compile(r"mean tilt in (\d{4}-\d{2}): ([+-]\d\.\d{3})")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until_serving(url: str, server: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if server.poll() is not None:
            pytest.fail(f"the app server exited with {server.returncode}:\n{log.read_text()[-3000:]}")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, OSError):
            time.sleep(0.3)
    pytest.fail(f"the app server did not answer at {url} within {START_TIMEOUT} s:\n{log.read_text()[-3000:]}")


@pytest.fixture(scope="module")
def app_url(tmp_path_factory) -> Iterator[str]:
    """``solara run sim/app.py`` on a free port (production mode: no reloading when files change)."""
    port = free_port()
    log = tmp_path_factory.mktemp("app") / "server.log"
    solara = Path(sys.executable).with_name("solara")
    command = [str(solara), "run", "sim/app.py", "--port", str(port), "--host", "127.0.0.1",
               "--no-open", "--production"]
    env = {**os.environ, "MPLBACKEND": "Agg", "SOLARA_TELEMETRY_MIXPANEL_ENABLE": "False"}
    with log.open("w") as out:
        server = subprocess.Popen(command, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
    try:
        url = f"http://127.0.0.1:{port}/"
        wait_until_serving(url, server, log)
        yield url
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait(timeout=10)


def chromium_path() -> str | None:
    return shutil.which("chromium") or next((p for p in ("/usr/bin/chromium",) if Path(p).exists()), None)


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    """Headless Chromium under Playwright; skipped off CI when either is missing."""
    executable = chromium_path()
    if executable is None and not ON_CI:
        pytest.skip("the chromium browser is not installed (apt-get install chromium); CI installs it")
    if not ON_CI:
        pytest.importorskip("playwright.sync_api", reason="playwright is in the dev extra: pip install -e '.[dev]'")
    from playwright.sync_api import sync_playwright

    assert executable is not None, "chromium is not installed; .ci/run installs it (apt-get install chromium)"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS, headless=True)
        yield browser
        browser.close()


@pytest.fixture
def page(browser: Browser, app_url: str) -> Iterator[Page]:  # browser first: it skips before a server starts
    """A fresh visit (its own session) with the first ensemble shown."""
    page = browser.new_page(viewport={"width": 1500, "height": 1000})
    page.goto(app_url, wait_until="domcontentloaded")
    page.locator(".app-figure-tilt img").wait_for(timeout=START_TIMEOUT * 1000)
    yield page
    page.close()


def readout(page: Page) -> tuple[str, float]:
    """The shown state's final month and ensemble-mean tilt, as the page writes them."""
    text = page.locator(".app-readout").inner_text()
    match = READOUT.search(text)
    assert match, f"no tilt readout in {text!r}"
    return match.group(1), float(match.group(2))


def tilt_image(page: Page) -> str:
    return page.locator(".app-figure-tilt img").get_attribute("src") or ""


def changed(page: Page, before_text: str, before_image: str) -> float:
    """Wait until the readout and the tilt figure both differ from before; return the seconds taken."""
    started = time.monotonic()
    while time.monotonic() - started < UPDATE_TIMEOUT:
        if page.locator(".app-readout").inner_text() != before_text and tilt_image(page) != before_image:
            return time.monotonic() - started
        time.sleep(0.02)
    pytest.fail(f"the page did not update within {UPDATE_TIMEOUT} s")


@pytest.mark.slow  # a server subprocess and a browser
def test_page_shows_title_readout_and_tilt_figure(page: Page, tmp_path: Path):
    assert page.title() == TITLE
    assert page.get_by_text(TITLE).first.is_visible()
    month, tilt = readout(page)
    assert month == "2019-08" and -1.0 <= tilt <= 1.0
    assert "Italy" in page.locator(".app-readout").inner_text()
    assert page.locator(".app-figure-tilt img").evaluate("i => i.complete && i.naturalWidth") > 500
    page.screenshot(path=tmp_path / "opened.png")


@pytest.mark.slow  # a server subprocess and a browser
def test_moving_a_weight_slider_changes_the_plotted_tilt(page: Page, tmp_path: Path):
    page.screenshot(path=tmp_path / "before.png")
    _, before = readout(page)
    before_text, before_image = page.locator(".app-readout").inner_text(), tilt_image(page)
    figure_before = page.locator(".app-figure-tilt img").screenshot(path=tmp_path / "tilt_before.png")
    slider = page.locator(".app-weight-security [role=slider]")
    assert slider.get_attribute("aria-valuemax") == "30"
    slider.focus()
    page.keyboard.press("End")  # Italy's weight on security to its upper bound, 30
    seconds = changed(page, before_text, before_image)
    assert slider.get_attribute("aria-valuenow") == "30"
    _, after = readout(page)
    assert after != before
    figure_after = page.locator(".app-figure-tilt img").screenshot(path=tmp_path / "tilt_after.png")
    assert figure_after != figure_before
    page.screenshot(path=tmp_path / "after.png")
    print(f"update after the slider moved: {seconds:.2f} s; Italy's final mean tilt {before:+.3f} -> {after:+.3f}")


@pytest.mark.slow  # a server subprocess and a browser
def test_switching_an_event_group_off_reruns_without_it(page: Page, tmp_path: Path):
    before_text, before_image = page.locator(".app-readout").inner_text(), tilt_image(page)
    page.locator(".app-switch label", has_text="territory").click()
    changed(page, before_text, before_image)
    assert "without territory" in page.locator(".app-status").inner_text()
    page.screenshot(path=tmp_path / "without_territory.png")


@pytest.mark.slow  # a server subprocess and a browser
def test_the_posterior_switch_reruns_over_the_draws(page: Page, tmp_path: Path):
    before_text, before_image = page.locator(".app-readout").inner_text(), tilt_image(page)
    page.locator(".app-posterior label").click()
    changed(page, before_text, before_image)
    assert "over posterior draws" in page.locator(".app-status").inner_text()
    page.screenshot(path=tmp_path / "over_posterior_draws.png")


@pytest.mark.slow  # a server subprocess and a browser
def test_moving_an_estimate_slider_reruns_with_the_new_value(page: Page, tmp_path: Path):
    """The councils' extremism to the top of its range (0.9): Italy ends further toward Haftar."""
    _, before = readout(page)
    before_text, before_image = page.locator(".app-readout").inner_text(), tilt_image(page)
    slider = page.locator(".app-estimate-factions-SHURA_COUNCILS-extremist [role=slider]")
    assert slider.get_attribute("aria-valuemax") == "0.9"
    slider.focus()
    page.keyboard.press("End")
    changed(page, before_text, before_image)
    _, after = readout(page)
    assert after > before + 0.2
    assert "with factions.SHURA_COUNCILS.extremist = 0.9" in page.locator(".app-status").inner_text()
    page.screenshot(path=tmp_path / "extremism_at_0.9.png")


@pytest.mark.slow  # a server subprocess and a browser
def test_any_other_estimate_gets_its_slider_from_the_menu(page: Page, tmp_path: Path):
    page.get_by_text("Every other estimate").click()
    menu = page.get_by_label("Estimate", exact=True)
    menu.scroll_into_view_if_needed()
    page.wait_for_timeout(500)  # the panel's opening animation
    menu.click(force=True)
    page.get_by_role("option").first.wait_for(state="visible", timeout=UPDATE_TIMEOUT * 1000)  # the menu renders after the click
    options = page.get_by_role("option").all_inner_texts()
    assert len(options) > 1 and options == sorted(options)
    wanted = page.get_by_role("option", name="factions.GNA.strength", exact=True)
    for _ in range(20):  # the menu renders its items as it is scrolled
        if wanted.count():
            break
        page.locator(".menuable__content__active").evaluate("menu => menu.scrollTop = menu.scrollHeight")
        page.wait_for_timeout(200)
    wanted.click()
    slider = page.locator(".app-estimate-factions-GNA-strength [role=slider]")
    slider.wait_for(state="attached", timeout=UPDATE_TIMEOUT * 1000)  # its thumb box is sized 0 here
    assert page.locator(".app-estimate-factions-GNA-strength").is_visible()
    assert (slider.get_attribute("aria-valuemin"), slider.get_attribute("aria-valuemax")) == ("0.1", "0.5")
    before_text, before_image = page.locator(".app-readout").inner_text(), tilt_image(page)
    slider.focus()
    page.keyboard.press("Home")
    changed(page, before_text, before_image)
    assert "with factions.GNA.strength = 0.1" in page.locator(".app-status").inner_text()
    page.screenshot(path=tmp_path / "gna_strength.png")


# The app's choices and runs, without a browser.

def test_choices_stand_for_the_calibrated_parameters_until_changed():
    choices = Choices()
    assert params_of(choices)["inertia"] == params_of(Choices())["inertia"]
    moved = choices.with_weight("security", 30.0).with_dynamic("inertia", 0.5)
    params = params_of(moved)
    assert params["state_weights"]["ITA"]["security"] == 30.0 and params["inertia"] == 0.5
    assert weights_of(moved)["security"] == 30.0
    assert weights_of(moved)["oil"] == pytest.approx(weights_of(choices)["oil"])
    assert moved.reset() == choices
    with pytest.raises(ValueError, match="unknown parameter"):
        choices.with_dynamic("no_such_parameter", 1.0)


def test_an_estimate_set_changes_the_scenario_within_its_range_only():
    from sim.scenario.estimates import current_value
    from sim.webapp.choices import MAIN_ESTIMATES, estimates_of, scenario_estimates
    from sim.webapp.ensemble import title_of

    path = "factions.SHURA_COUNCILS.extremist"
    assert set(MAIN_ESTIMATES) <= set(scenario_estimates(Choices()))
    moved = Choices().with_estimate(path, 0.4)
    assert current_value(scenario_of(moved), path) == 0.4 and current_value(scenario_of(Choices()), path) == 0.6
    assert estimates_of(moved)[path] == 0.4 and estimates_of(moved)["assets.DERNA.haven"] == 0.8
    assert moved.with_estimate(path, 0.6).estimates == ((path, 0.6),)  # set again, not twice
    assert title_of(moved) == "Libya 2014–2019, with factions.SHURA_COUNCILS.extremist = 0.4"
    assert moved.reset() == Choices()
    both = moved.toggled("territory", included=False)
    assert current_value(scenario_of(both), path) == 0.4  # set, then the group taken out
    with pytest.raises(ValueError, match="outside its plausible range"):
        Choices().with_estimate(path, 0.95)
    with pytest.raises(ValueError, match="not an estimate"):
        Choices().with_estimate("factions.NOBODY.extremist", 0.5)


def test_a_scenario_switch_keeps_only_the_estimates_it_can_hold():
    from sim.webapp.choices import scenario_estimates

    path, other = "factions.SHURA_COUNCILS.extremist", "studies/councils_un_list_with_is"
    known = scenario_estimates(Choices(scenario=other))[path]
    assert (known.low, known.high) == (0.3, 0.4)  # the study's range, narrower than the history's
    moved = Choices().with_estimate(path, 0.4)
    assert moved.with_scenario("libya_2014_2019").estimates == moved.estimates
    assert moved.with_scenario(other).estimates == moved.estimates  # 0.4 lies within 0.3-0.4
    assert Choices().with_estimate(path, 0.8).with_scenario(other).estimates == ()


def test_switching_a_group_off_removes_its_events():
    full = scenario_of(Choices())
    for group in REMOVABLE_GROUPS:
        choices = Choices().toggled(group, included=False)
        assert len(scenario_of(choices).events) <= len(full.events)
        assert choices.toggled(group, included=True) == Choices()
    assert len(scenario_of(Choices().toggled("territory", included=False)).events) < len(full.events)
    with pytest.raises(ValueError, match="unknown input group"):
        Choices().toggled("stage", included=False)


@pytest.mark.parametrize("name", ["inertia", "rationality", "migration_reference", "oil_reference"])
def test_slider_values_lie_on_the_grid_the_browser_rounds_to(name):
    low, high = BOUNDS[name]
    value = on_step(low + 0.3137 * (high - low), low, high)
    assert low <= value <= high
    assert repr(value) == repr(float(f"{value:.6g}"))  # no 0.9110000000000001 the browser would "correct"


def test_every_slider_is_labelled_with_its_odd_symbol_and_unit():
    """Each dynamics slider reads ``name symbol (unit)``, the symbol as docs/ODD.md writes it."""
    from sim.params import SCALAR_NAMES
    from sim.webapp.choices import parameter_label

    labels = {name: parameter_label(name) for name in SCALAR_NAMES}
    assert labels["inertia"] == "inertia λ (1/month)"
    assert labels["commitment_fading"] == "commitment fading φ"
    assert labels["trend_weight"] == "trend weight τ" and labels["partners_now"] == "partners now ξ"
    spelled = {"alpha", "beta", "gamma", "delta", "epsilon", "zeta", "eta", "theta", "kappa", "lambda",
               "mu", "nu", "xi", "rho", "sigma", "tau", "phi", "chi", "psi", "omega"}
    for name, label in labels.items():
        symbol = label.removeprefix(name.replace("_", " ")).split("(")[0].strip()
        assert symbol not in spelled, (name, label)  # a Greek symbol is shown as its letter


def test_a_whole_number_parameter_moves_by_whole_steps_and_runs():
    from sim.webapp.choices import parameter_step

    low, high = BOUNDS["anticipation"]
    assert parameter_step("anticipation") == 1.0 and parameter_step("inertia") < 1.0
    value = on_step(low + 0.3137 * (high - low), low, high, parameter_step("anticipation"))
    assert value == 3.0
    assert params_of(Choices().with_dynamic("anticipation", value))["anticipation"] == 3.0


def test_a_run_reads_out_the_final_tilt_and_draws_every_figure():
    from sim.webapp.ensemble import FIGURES, draw, run

    outcome = run(Choices().with_state("FRA"), replicates=4)
    assert outcome.state_name == "France" and outcome.final_date == "2019-08"
    assert -1.0 <= outcome.final_band[0] <= outcome.final_mean <= outcome.final_band[1] <= 1.0
    for name in FIGURES:
        assert draw(outcome, name).axes, name


def test_over_the_posterior_the_band_widens_and_a_set_parameter_holds():
    from sim.webapp.choices import posterior_of
    from sim.webapp.ensemble import run, title_of

    assert posterior_of(Choices()) is None
    over = Choices().with_posterior(True)
    assert over.with_posterior(False) == Choices() and over.reset() == Choices()
    assert "inertia" in posterior_of(over).table.columns
    fixed = over.with_dynamic("inertia", 0.5)
    assert "inertia" not in posterior_of(fixed).table.columns  # the slider's value in every replicate
    assert posterior_of(fixed).size == posterior_of(over).size
    assert title_of(over) == "Libya 2014–2019, over posterior draws"
    at_mode, drawn = run(Choices(), replicates=60), run(over, replicates=60)
    # the parameters' spread on top of the shocks': about twice as wide over 2016-17, where the
    # shocks spread Italy little, and wider in the last month too (docs/calibration.md, "The
    # posterior in every run")
    low_years = [low_years_width(o.result.tilt) for o in (at_mode, drawn)]
    assert low_years[1] > 1.5 * low_years[0], low_years
    width = [o.final_band[1] - o.final_band[0] for o in (at_mode, drawn)]
    assert width[1] > width[0], width


def low_years_width(tilt) -> float:
    """Italy's 5-95 % band, averaged over the months of 2016-2017."""
    dates = tilt["date"].astype(str)
    italy = tilt[(tilt["state"] == "ITA") & dates.between("2016-01", "2017-12")]
    band = italy.groupby(dates[italy.index])["tilt"].quantile([0.05, 0.95]).unstack()
    return float((band[0.95] - band[0.05]).mean())


def test_the_menu_of_every_other_estimate_is_in_alphabetical_order():
    """Every estimate the history marks is either among the six shown first or in the menu, once,
    and the menu lists them by name, not in the file's order (which it is not)."""
    known = list(scenario_estimates(Choices()))
    menu = other_estimates(known)
    assert menu == sorted(menu) and len(menu) == len(set(menu))
    assert set(menu) | set(MAIN_ESTIMATES) == set(known) and not set(menu) & set(MAIN_ESTIMATES)
    in_file_order = [path for path in known if path not in MAIN_ESTIMATES]
    assert in_file_order != menu
