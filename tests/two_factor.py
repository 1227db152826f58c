"""The second factor in tests: an authenticator app is a TOTP secret we hold, so a test can read the
code a phone would show (RFC 6238, computed by django-otp's own TOTP, not by the product's code)."""
import time

from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

TEST_APP = "Test authenticator"


def authenticator(user) -> TOTPDevice:  # noqa: ANN001
    """The user's authenticator, set up now if they have none."""
    return (TOTPDevice.objects.filter(user=user, confirmed=True).first()
            or TOTPDevice.objects.create(user=user, name=TEST_APP, confirmed=True))


def code(key_hex: str, *, at: float | None = None) -> str:
    """The 6 digits an app holding this secret shows at `at` (now by default)."""
    totp = TOTP(bytes.fromhex(key_hex), step=30, t0=0, digits=6)
    totp.time = time.time() if at is None else at
    return f"{totp.token():06d}"


def fresh_code(device: TOTPDevice) -> str:
    """A code the device has not accepted yet. A code is good once, so a second sign-in within the
    same 30 seconds takes the next step's code, which django-otp accepts within the device's
    tolerance (one step either side of its clock, drift included), as it accepts a phone whose clock
    runs up to 30 s ahead; only beyond that tolerance does it wait for the clock, as a person would.
    (Waiting every time cost the suite up to 30 s per second sign-in.)"""
    device.refresh_from_db()
    step = max(int(time.time()) // 30 + device.drift, device.last_t + 1)
    while step > int(time.time()) // 30 + device.drift + device.tolerance:
        time.sleep(0.5)
    return code(device.key, at=step * 30 + 1)


def enrol(client, *, next_path: str = "/") -> tuple[str, list[str]]:  # noqa: ANN001
    """Set up an authenticator over HTTP as a person does: read the key the setup page shows, type
    the app's code back. Returns the key (hex) and the recovery codes the page shows once."""
    import base64
    import re

    page = client.get(f"/accounts/two-factor/setup/?next={next_path}")
    assert page.status_code == 200, page.status_code
    body = page.content.decode()
    secret = re.search(r'<code class="secret" id="secret">([A-Z2-7 ]+)</code>', body).group(1).replace(" ", "")
    key_hex = base64.b32decode(secret + "=" * (-len(secret) % 8)).hex()
    done = client.post("/accounts/two-factor/setup/", {"do": "confirm", "code": code(key_hex), "next": next_path})
    assert done.status_code == 200, done.status_code
    codes = re.findall(r"<li><code>([a-z2-7]+)</code></li>", done.content.decode())
    return key_hex, codes


def sign_in(client, email: str, password: str) -> None:  # noqa: ANN001
    """Both factors over HTTP: the password on the sign-in page, then the code the user's app shows
    (an authenticator is set up for them first if they have none)."""
    from accounts.models import User

    device = authenticator(User.objects.get(email=email))
    response = client.post("/accounts/login/", {"username": email, "password": password})
    assert response.status_code == 302, response.status_code
    response = client.post("/accounts/two-factor/", {"do": "verify", "code": fresh_code(device)})
    assert response.status_code == 302, response.status_code
