"""The staff pages in headless Chromium (run by staff_browser.sh).

Usage: staff_browser.py BASE_URL SESSION_ID SCREENSHOT_DIR, with STAFF_USER, STAFF_PASSWORD,
GARAGE_USER and GARAGE_PASSWORD in the environment. A garage's DMS first sends a rollback and
confirms it (so that the review queue holds a reading); then the browser logs in as staff,
looks at every page, records the C07 and C14 verdicts, approves the session's DMS until a day
next year, and finds it on /approved-dms. Every page is saved as a PNG whose path is printed.
Then (issue 20) it searches for a VIN, a garage and a reading with the search box, and visits
every staff and public page in each language at desktop and phone (390 px) widths: none may
scroll sideways, and each is saved as a PNG.
"""

import datetime
import os
import sys
import urllib.request
import xml.etree.ElementTree as ET

from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.common.exceptions import StaleElementReferenceException, TimeoutException
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

NS = "urn:carpass:inflow:1"
ENV = "http://schemas.xmlsoap.org/soap/envelope/"
WSSE = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd"
VIN = "WDB2030461A000001"


def check(condition, message):
    if not condition:
        raise SystemExit(f"FAILED: {message}")


def soap(base, body):
    """One SOAP 1.1 call as the garage's DMS; the answer's XML."""
    envelope = f"""<?xml version="1.0" encoding="UTF-8"?>
<e:Envelope xmlns:e="{ENV}" xmlns:c="{NS}"><e:Header>
<w:Security xmlns:w="{WSSE}"><w:UsernameToken><w:Username>{os.environ["GARAGE_USER"]}</w:Username>
<w:Password>{os.environ["GARAGE_PASSWORD"]}</w:Password></w:UsernameToken></w:Security>
<c:ClientInfo><c:Language>en</c:Language><c:SoftwareBuilder>Garagesoft NV</c:SoftwareBuilder>
<c:SoftwareName>WerkplaatsPro</c:SoftwareName><c:SoftwareVersion>7.2.1</c:SoftwareVersion></c:ClientInfo>
</e:Header><e:Body>{body}</e:Body></e:Envelope>"""
    request = urllib.request.Request(
        f"{base}/soap/inflow", data=envelope.encode(), headers={"Content-Type": "text/xml; charset=utf-8"}
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        return ET.fromstring(response.read())


def submit(base, reference, work_date, odometer):
    reading = (
        f"<c:Reading><c:ClientReference>{reference}</c:ClientReference><c:Vin>{VIN}</c:Vin>"
        f"<c:WorkDate>{work_date}</c:WorkDate><c:Odometer>{odometer}</c:Odometer>"
        "<c:Subcontracted>false</c:Subcontracted><c:CustomerType>Business</c:CustomerType>"
        "<c:InvoiceTotal>240.50</c:InvoiceTotal><c:Work><c:ActivityCode>MAINTENANCE</c:ActivityCode>"
        "<c:Description>Kleine onderhoudsbeurt</c:Description></c:Work></c:Reading>"
    )
    return soap(base, f"<c:SubmitReadings>{reading}</c:SubmitReadings>")


def hold_a_reading_for_review(base):
    """A rollback the garage confirms as right: it waits for staff."""
    today = datetime.date.today()
    submit(base, "JOB-1", today - datetime.timedelta(days=2), 47500)
    receipt = submit(base, "JOB-2", today - datetime.timedelta(days=1), 45210)
    numbers = [
        issue.findtext(f"{{{NS}}}IssueNumber")
        for issue in receipt.iter(f"{{{NS}}}Issue")
        if issue.findtext(f"{{{NS}}}Code") == "ODOMETER_ROLLBACK"
    ]
    check(numbers and numbers[0], f"the rollback got an issue number: {ET.tostring(receipt)[:600]!r}")
    soap(
        base,
        f"<c:ConfirmReading><c:IssueNumber>{numbers[0]}</c:IssueNumber>"
        "<c:Note>Klant bevestigt: teller vervangen na ongeval, foto in dossier</c:Note></c:ConfirmReading>",
    )


def browser():
    options = webdriver.ChromeOptions()
    options.binary_location = "/usr/bin/chromium"
    for argument in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1280,900", "--lang=en-US"):
        options.add_argument(argument)
    # English unless a page's switch says otherwise: the checks below read English.
    options.add_experimental_option("prefs", {"intl.accept_languages": "en-US,en"})
    # Debian's chromedriver, named explicitly, so that selenium downloads nothing.
    return webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)


class Staff:
    def __init__(self, driver, base, shots):
        self.driver = driver
        self.base = base
        self.shots = shots
        self.count = 0

    def open(self, path):
        self.driver.get(self.base + path)

    def text(self):
        return self.driver.find_element(By.TAG_NAME, "body").text

    def shows(self, text, message):
        """Waits for the page that a click or a form leads to, until it shows `text`."""
        try:
            # The old page's body goes stale while the next one loads.
            wait = WebDriverWait(self.driver, 10, ignored_exceptions=(StaleElementReferenceException,))
            wait.until(lambda d: text in d.find_element(By.TAG_NAME, "body").text)
        except TimeoutException:
            raise SystemExit(f"FAILED: {message}: no '{text}' on {self.driver.current_url}:\n{self.text()[:1500]}")

    def shoot(self, name, width=1280):
        """The whole page, however long, as a PNG."""
        self.driver.set_window_size(width, 900)
        height = self.driver.execute_script("return document.documentElement.scrollHeight")
        self.driver.set_window_size(width, max(900, min(height + 40, 8000)))
        self.count += 1
        path = os.path.join(self.shots, f"{self.count:03d}-{name}.png")
        self.driver.save_screenshot(path)
        self.driver.set_window_size(1280, 900)
        print(path)

    def overflow(self, width):
        """How far the page scrolls sideways at this window width (0: not at all). A table
        that scrolls inside its own box does not count: only the page's own width does."""
        self.driver.set_window_size(width, 900)
        return self.driver.execute_script(
            "return document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )

    def log_in(self, user, password):
        self.driver.find_element(By.ID, "username").clear()
        self.driver.find_element(By.ID, "username").send_keys(user)
        self.driver.find_element(By.ID, "password").send_keys(password)
        self.driver.find_element(By.CSS_SELECTOR, "form button[type=submit]").click()

    def submit(self, form_css, note, button_text):
        form = self.driver.find_element(By.CSS_SELECTOR, form_css)
        form.find_element(By.NAME, "note").send_keys(note)
        form.find_element(By.XPATH, f".//button[normalize-space()='{button_text}']").click()


def search(staff, driver):
    """The search box on every staff page finds a vehicle, a garage and a reading."""
    def find(text):
        staff.open("/staff")
        box = driver.find_element(By.CSS_SELECTOR, "form.search input[name=q]")
        box.send_keys(text)
        driver.find_element(By.CSS_SELECTOR, "form.search button").click()
        staff.shows("result", f"the search for {text} answers")

    find(VIN[:11].lower())
    driver.find_element(By.PARTIAL_LINK_TEXT, VIN).click()
    staff.shows("Audit trail", "the vehicle's page opens from the search")
    page = staff.text()
    check("45,210 km" in page and "47,500 km" in page and "garage" in page, f"the vehicle's history with its sources: {page[:800]}")
    staff.shoot("vehicle")

    find("Janssens")
    driver.find_element(By.PARTIAL_LINK_TEXT, "Garage Janssens BV").click()
    staff.shows("Software it sends with", "the garage's page opens from the search")
    check("1234.567.894" in staff.text() and "WerkplaatsPro" in staff.text(), "the garage's number and software")
    staff.shoot("garage")

    find("1234 567 894")
    check("Garage Janssens BV" in staff.text(), "a garage is found by its enterprise number")

    find("JOB-2")
    driver.find_element(By.CSS_SELECTOR, "main ul li a[href*='#reading-']").click()
    staff.shows("Audit trail", "a reading found by its ClientReference leads to its vehicle")


# Every page a clerk or a buyer can open, with what each must show in English.
def pages(session):
    return [
        ("/staff", "review-queue"),
        ("/staff/paper-form", "paper-form"),
        ("/staff/certification", "certification"),
        (f"/staff/certification/{session}", "certification-session"),
        ("/staff/approvals", "approvals"),
        ("/staff/trusted-providers", "trusted-providers"),
        (f"/staff/search?q={VIN[:8]}", "search"),
        (f"/staff/vehicles/{VIN}", "vehicle"),
        ("/staff/feeds", "feeds"),
        ("/approved-dms", "approved-dms"),
        ("/verify", "verify"),
        ("/trusted-providers/2020", "trusted-providers-public"),
        ("/label/no-such-label", "label-unknown"),
    ]


def every_page_in_every_language(staff, driver, session):
    staff.open("/staff/search?q=Janssens")
    garage = driver.find_element(By.PARTIAL_LINK_TEXT, "Garage Janssens BV").get_attribute("href")
    visits = pages(session) + [(garage[len(staff.base):], "garage")]
    for lang in ("nl", "fr", "de", "en"):
        for path, name in visits:
            join = "&" if "?" in path else "?"
            staff.open(f"{path}{join}lang={lang}")
            html_lang = driver.find_element(By.TAG_NAME, "html").get_attribute("lang")
            check(html_lang == lang, f"{path} in {lang}: the page says lang={html_lang}")
            for width in (1280, 390):
                over = staff.overflow(width)
                check(over <= 0, f"{path} in {lang} at {width} px scrolls sideways by {over} px")
                staff.shoot(f"{name}-{lang}-{width}", width)


def main():
    base, session, shots = sys.argv[1], sys.argv[2], sys.argv[3]
    hold_a_reading_for_review(base)
    driver = browser()
    try:
        staff = Staff(driver, base, shots)
        staff.open("/staff")
        check(driver.current_url.endswith("/staff/login"), f"without a session /staff leads to the login page, not {driver.current_url}")
        staff.shoot("login")

        staff.log_in(os.environ["GARAGE_USER"], os.environ["GARAGE_PASSWORD"])
        staff.shows("not a staff account", "a garage's account is refused")
        check(driver.current_url.endswith("/staff/login"), "and stays on the login page")

        staff.log_in(os.environ["STAFF_USER"], os.environ["STAFF_PASSWORD"])
        staff.shows("Review queue", "staff land on the review queue")
        page = staff.text()
        check("ODOMETER_ROLLBACK" in page and "JOB-2" in page, "the held reading is in the queue")
        check(f"Logged in as {os.environ['STAFF_USER']}" in page, "the page says who is logged in")
        staff.shoot("review-queue")

        driver.find_element(By.LINK_TEXT, "Apply a paper form instead").click()
        staff.shows("Paper correction form", "the paper form opens")
        check(driver.find_element(By.ID, "reading").get_attribute("value"), "the paper form knows the reading")
        staff.shoot("paper-form")

        driver.find_element(By.LINK_TEXT, "Certification").click()
        staff.shows("Acme DMS 4.2", "the session is listed")
        staff.shoot("certification")

        driver.find_element(By.LINK_TEXT, "Acme DMS 4.2").click()
        staff.shows("Certification of Acme DMS 4.2", "the session page opens")
        check(f"/staff/certification/{session}" in driver.current_url, "the session's page")
        for criterion in ("C07", "C14"):
            staff.submit(f"#verdict-{criterion}", "The screenshot shows the message to the user.", f"{criterion} passed")
            staff.shows(f"Staff verdict recorded for {criterion} (passed).", f"the {criterion} verdict is recorded")
        driver.find_element(By.XPATH, "//button[normalize-space()='Evaluate again']").click()
        staff.shows("Evaluated again: certifiable.", "the evaluation with the verdicts is certifiable")

        valid_until = datetime.date(datetime.date.today().year + 1, 12, 31).isoformat()
        field = driver.find_element(By.ID, "valid_until")
        # A date input's typing order follows the browser's locale; its value does not.
        driver.execute_script("arguments[0].value = arguments[1]", field, valid_until)
        staff.submit("form[action$='/approve']", "Reference run passed; C07 and C14 screenshots checked.", "Approve this DMS")
        staff.shows(f"Approved: Acme DMS 4.2 until {valid_until}", "the DMS is approved")
        staff.shoot("certification-session")

        driver.find_element(By.LINK_TEXT, "Approvals").click()
        staff.shows("Every approval", "the approvals page opens")
        check("Acme DMS 4.2" in staff.text() and "holds" in staff.text(), "the approval is listed")
        staff.shoot("approvals")

        driver.find_element(By.LINK_TEXT, "Trusted Providers").click()
        staff.shows("List of the year", "the Trusted Provider page opens")
        staff.shoot("trusted-providers")

        staff.open("/approved-dms")
        page = staff.text()
        check("Acme DMS 4.2" in page and "Acme Software NV" in page, f"the DMS is on the public list: {page}")
        staff.shoot("approved-dms")

        search(staff, driver)
        every_page_in_every_language(staff, driver, session)

        staff.open("/staff?lang=en")
        driver.find_element(By.XPATH, "//button[normalize-space()='Log out']").click()
        staff.shows("You are logged out.", "logged out")
        staff.open("/staff/approvals")
        check(driver.current_url.endswith("/staff/login"), "after logging out the pages lead to the login page")
    finally:
        driver.quit()
    print(f"the staff pages work in Chromium: screenshots in {shots}")


if __name__ == "__main__":
    main()
