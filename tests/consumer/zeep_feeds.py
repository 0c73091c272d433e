#!/usr/bin/env python3
"""Consumer test of the Carpass feeds SOAP service (importers, accident experts, inspection
centres) with an independent client (zeep).

Run by tests/consumer/run.sh against the demo server:

    python3 tests/consumer/zeep_feeds.py --wsdl http://127.0.0.1:8080/soap/feeds?wsdl \
        --importer demo-importer:SECRET --expert demo-expert:SECRET \
        --inspector demo-inspection:SECRET --garage demo-garage:SECRET

It calls each operation through the WSDL the server serves, as each partner's account, and
checks that an account of another role is refused. One "ok - ..." / "not ok - ..." line per
check, then "N passed, M failed"; non-zero exit when a check failed. It may run several times
against the same server (SOAP 1.1, then 1.2): a resent foreign history is answered as resent.
"""

import argparse
import datetime
import sys
import uuid

import zeep
import zeep.exceptions
from lxml import etree
from zeep.transports import Transport
from zeep.wsse.username import UsernameToken

NS = "urn:carpass:feeds:1"
SERVICE = "CarpassFeedsService"
PORTS = {"1.1": "FeedsSoap11", "1.2": "FeedsSoap12"}
# The demo's imported used Golf: first registered abroad 9 years ago, in Belgium 3 years ago.
IMPORTED_VIN = "WVWZZZ1KZ8W123456"


class CheckFailed(Exception):
    pass


def expect(condition, message):
    if not condition:
        raise CheckFailed(message)


def as_list(value):
    if value is None:
        return []
    if isinstance(value, list):
        return value
    return [value]


def fault_code(fault):
    """The feeds' FaultDetail/Code of a zeep fault."""
    detail = fault.detail
    if detail is None:
        return None
    found = detail.find(".//{%s}Code" % NS)
    if found is None and etree.QName(detail).localname == "FaultDetail":
        found = detail.find("{%s}Code" % NS)
    return None if found is None else found.text


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--wsdl", required=True)
    for role in ("importer", "expert", "inspector", "garage"):
        parser.add_argument("--" + role, required=True, help="USER:PASSWORD")
    parser.add_argument("--soap-version", choices=sorted(PORTS), default="1.1")
    parser.add_argument("--timeout", type=float, default=30.0)
    args = parser.parse_args()

    results = []

    def check(description, function):
        try:
            detail = function()
        except Exception as exc:  # a failed check must not stop the others
            if isinstance(exc, zeep.exceptions.Fault):
                reason = "SOAP fault %s (%s): %s" % (exc.code, fault_code(exc), exc.message)
            else:
                reason = "%s: %s" % (type(exc).__name__, exc)
            print("not ok - %s: %s" % (description, reason))
            results.append(False)
            return False
        print("ok - %s%s" % (description, " (%s)" % detail if detail else ""))
        results.append(True)
        return True

    def service_as(credentials):
        user, password = credentials.split(":", 1)
        client = zeep.Client(
            args.wsdl,
            wsse=UsernameToken(user, password),
            transport=Transport(timeout=args.timeout, operation_timeout=args.timeout),
        )
        return client.bind(SERVICE, PORTS[args.soap_version])

    services = {}

    def load():
        for role in ("importer", "expert", "inspector", "garage"):
            services[role] = service_as(getattr(args, role))
        return "port %s" % PORTS[args.soap_version]

    if not check("the feeds WSDL loads in zeep", load):
        return finish(results)

    today = datetime.date.today()
    years_ago = lambda years: today - datetime.timedelta(days=365 * years)  # noqa: E731

    def foreign_history():
        answer = services["importer"].SubmitForeignHistory(
            Vin=IMPORTED_VIN,
            CountryOfOrigin="DE",
            Reading=[
                {"ReadingDate": years_ago(8), "Odometer": 12000, "Source": "Kraftfahrt-Bundesamt"},
                {"ReadingDate": years_ago(6), "Odometer": 41000, "OdometerUnit": "km",
                 "Source": "Autohaus Müller, Köln"},
                {"ReadingDate": today + datetime.timedelta(days=30), "Odometer": 99000,
                 "Source": "TÜV Rheinland"},
            ],
        )
        outcomes = [(r["Outcome"], r["Resent"]) for r in as_list(answer["Result"])]
        expect([o for o, _ in outcomes] == ["stored", "stored", "refused"],
               "unexpected outcomes %s" % outcomes)
        expect(as_list(answer["Result"])[2]["Reason"] == "date_future",
               "the future reading's reason is %s" % as_list(answer["Result"])[2]["Reason"])
        return "outcomes %s" % outcomes

    check("SubmitForeignHistory stores the foreign readings and refuses a future one",
          foreign_history)

    def foreign_history_resent():
        answer = services["importer"].SubmitForeignHistory(
            Vin=IMPORTED_VIN,
            CountryOfOrigin="DE",
            Reading=[{"ReadingDate": years_ago(8), "Odometer": 12000,
                      "Source": "Kraftfahrt-Bundesamt"}],
        )
        result = as_list(answer["Result"])[0]
        expect(result["Outcome"] == "stored" and result["Resent"] is True,
               "a resent reading answered %s" % result)
        return "reading %s" % result["ReadingId"]

    check("SubmitForeignHistory sent again stores nothing twice", foreign_history_resent)

    reference = "IX-%s" % uuid.uuid4().hex[:12]

    def report():
        answer = services["expert"].ReportPostAccident(
            Vin=IMPORTED_VIN, ReportDate=today, InformexReference=reference
        )
        expect(answer["InspectionPending"] is True, "not pending: %s" % answer)
        return reference

    check("ReportPostAccident sets the inspection pending", report)

    def inspected(result, pending):
        def call():
            answer = services["inspector"].ClearPostAccident(
                Vin=IMPORTED_VIN, InspectionDate=today, Result=result
            )
            expect(answer["InspectionPending"] is pending, "after %s: %s" % (result, answer))
            return None
        return call

    check("ClearPostAccident failed keeps it pending", inspected("failed", True))
    check("ClearPostAccident passed clears it", inspected("passed", False))

    def refused(role, operation, code, **values):
        def call():
            try:
                getattr(services[role], operation)(**values)
            except zeep.exceptions.Fault as fault:
                expect(fault_code(fault) == code, "fault %s: %s" % (fault_code(fault), fault.message))
                return code
            raise CheckFailed("the call succeeded")
        return call

    check("ClearPostAccident with nothing pending is a NOTHING_PENDING fault",
          refused("inspector", "ClearPostAccident", "NOTHING_PENDING",
                  Vin=IMPORTED_VIN, InspectionDate=today, Result="passed"))
    check("ReportPostAccident with a reported INFORMEX reference is an INFORMEX_DUPLICATE fault",
          refused("expert", "ReportPostAccident", "INFORMEX_DUPLICATE",
                  Vin=IMPORTED_VIN, ReportDate=today, InformexReference=reference))
    check("a garage may not report an accident",
          refused("garage", "ReportPostAccident", "ROLE_NOT_ALLOWED",
                  Vin=IMPORTED_VIN, ReportDate=today, InformexReference="IX-garage"))
    check("an expert may not send a foreign history",
          refused("expert", "SubmitForeignHistory", "ROLE_NOT_ALLOWED",
                  Vin=IMPORTED_VIN, CountryOfOrigin="DE",
                  Reading=[{"ReadingDate": years_ago(8), "Odometer": 1, "Source": "x"}]))
    check("an importer may not clear an inspection",
          refused("importer", "ClearPostAccident", "ROLE_NOT_ALLOWED",
                  Vin=IMPORTED_VIN, InspectionDate=today, Result="passed"))

    return finish(results)


def finish(results):
    passed = results.count(True)
    failed = results.count(False)
    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
