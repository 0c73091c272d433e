#!/usr/bin/env python3
"""Consumer test of the Carpass inflow SOAP service with an independent client (zeep).

Run by CI against a running server:

    python3 tests/consumer/zeep_consumer.py --wsdl http://127.0.0.1:8080/soap/inflow?wsdl \
        --username demo-garage --password SECRET

It loads the WSDL the server serves (whose service address is the caller's host),
authenticates with a WS-Security UsernameToken (PasswordText), sends the ClientInfo
header with every call, and checks the behaviour a DMS relies on. It prints one
"ok - ..." / "not ok - ..." line per check and finally "N passed, M failed";
it exits non-zero when any check failed.
"""

import argparse
import datetime
import sys
import traceback
import uuid
from decimal import Decimal

import zeep
import zeep.exceptions
from zeep.transports import Transport
from zeep.wsse.username import UsernameToken

NS = "urn:carpass:inflow:1"
SERVICE = "CarpassInflowService"
PORTS = {"1.1": "InflowSoap11", "1.2": "InflowSoap12"}
EXPECTED_ACTIVITY_COUNT = 26
INVALID_VIN = "WVWZZZ1KZAW00000I"  # 17 characters, but contains the letter I


class CheckFailed(Exception):
    pass


def expect(condition, message):
    if not condition:
        raise CheckFailed(message)


def as_list(value):
    """zeep gives [] or a list for repeated elements, None for an absent one."""
    if value is None:
        return []
    if isinstance(value, list):
        return value
    return [value]


def unwrap(result, name):
    """zeep unwraps a response wrapper with a single child element (for example
    SubmitReadingsResponse -> its list of Receipt); accept both shapes."""
    if result is not None and not isinstance(result, list):
        try:
            return result[name]
        except (KeyError, TypeError, IndexError, AttributeError):
            pass
    return result


def make_client(wsdl, username, password, soap_version, timeout):
    transport = Transport(timeout=timeout, operation_timeout=timeout)
    client = zeep.Client(
        wsdl,
        wsse=UsernameToken(username, password),  # use_digest=False: PasswordText
        transport=transport,
    )
    service = client.bind(SERVICE, PORTS[soap_version])
    return client, service


def client_info_header(client):
    client_info = client.get_element("{%s}ClientInfo" % NS)
    return client_info(
        Language="en",
        SoftwareBuilder="zeep-consumer",
        SoftwareName="zeep",
        SoftwareVersion=zeep.__version__,
    )


def reading(client_reference, vin, work_date, odometer):
    return {
        "ClientReference": client_reference,
        "Vin": vin,
        "WorkDate": work_date,
        "Odometer": odometer,
        "Subcontracted": False,
        "CustomerType": "Business",
        "InvoiceTotal": Decimal("240.50"),
        "Work": [{"ActivityCode": "MAINTENANCE", "Description": "Kleine onderhoudsbeurt"}],
    }


def describe_receipt(receipt):
    issues = ", ".join(
        "%s/%s" % (issue["Code"], issue["Severity"]) for issue in as_list(receipt["Issue"])
    )
    return "%s %s [%s]" % (receipt["ReadingId"], receipt["Status"], issues)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--wsdl", required=True, help="URL (or path) of the service's WSDL")
    parser.add_argument("--username", required=True)
    parser.add_argument("--password", required=True)
    parser.add_argument(
        "--vin",
        default="WDB2030461A000001",
        help="a VIN known to the server's register (default: the demo VIN)",
    )
    parser.add_argument(
        "--odometer", type=int, default=123456, help="odometer of the valid reading (default 123456)"
    )
    parser.add_argument(
        "--soap-version", choices=sorted(PORTS), default="1.1", help="binding to use (default 1.1)"
    )
    parser.add_argument("--timeout", type=float, default=30.0, help="HTTP timeout in seconds")
    parser.add_argument("--verbose", action="store_true", help="print tracebacks of failures")
    args = parser.parse_args()

    results = []

    def check(description, function):
        try:
            detail = function()
        except Exception as exc:  # a failed check must not stop the others
            if isinstance(exc, zeep.exceptions.Fault):
                reason = "SOAP fault %s: %s" % (exc.code, exc.message)
            else:
                reason = "%s: %s" % (type(exc).__name__, exc)
            print("not ok - %s: %s" % (description, reason))
            if args.verbose and not isinstance(exc, CheckFailed):
                traceback.print_exc(file=sys.stdout)
            results.append(False)
            return False
        print("ok - %s%s" % (description, " (%s)" % detail if detail else ""))
        results.append(True)
        return True

    def finish():
        passed = results.count(True)
        failed = results.count(False)
        print("%d passed, %d failed" % (passed, failed))
        return 1 if failed else 0

    state = {}

    def load():
        state["client"], state["service"] = make_client(
            args.wsdl, args.username, args.password, args.soap_version, args.timeout
        )
        state["header"] = client_info_header(state["client"])
        return "port %s, zeep %s" % (PORTS[args.soap_version], zeep.__version__)

    if not check("the WSDL loads in zeep", load):
        return finish()

    client, service, header = state["client"], state["service"], state["header"]

    # (1) ListActivities
    def list_activities():
        activities = as_list(unwrap(service.ListActivities(_soapheaders=[header]), "Activity"))
        codes = [activity["Code"] for activity in activities]
        expect(
            len(codes) == EXPECTED_ACTIVITY_COUNT,
            "expected %d activities, got %d: %s" % (EXPECTED_ACTIVITY_COUNT, len(codes), codes),
        )
        expect("MAINTENANCE" in codes, "MAINTENANCE missing from %s" % codes)
        expect(all(activity["Label"] for activity in activities), "an activity has no label")
        return "%d activities" % len(codes)

    check("ListActivities returns %d activities including MAINTENANCE" % EXPECTED_ACTIVITY_COUNT,
          list_activities)

    # (2) SubmitReadings: one valid reading and one with an invalid VIN
    run = uuid.uuid4().hex
    today = datetime.date.today()
    readings = [
        reading("zeep-%s-1" % run, args.vin, today, args.odometer),
        reading("zeep-%s-2" % run, INVALID_VIN, today, args.odometer),
    ]

    def submit():
        receipts = as_list(
            unwrap(service.SubmitReadings(Reading=readings, _soapheaders=[header]), "Receipt")
        )
        expect(len(receipts) == 2, "expected 2 receipts, got %d" % len(receipts))
        for sent, receipt in zip(readings, receipts):
            expect(
                receipt["ClientReference"] == sent["ClientReference"],
                "receipts out of order: %s for %s"
                % (receipt["ClientReference"], sent["ClientReference"]),
            )
            expect(receipt["ReadingId"], "receipt without ReadingId")
        state["receipts"] = receipts
        return None

    def valid_reading_accepted():
        expect("receipts" in state, "no receipts (SubmitReadings failed)")
        receipt = state["receipts"][0]
        expect(
            receipt["Status"] in ("Accepted", "AcceptedWithWarnings"),
            "valid reading got %s" % describe_receipt(receipt),
        )
        errors = [i for i in as_list(receipt["Issue"]) if i["Severity"] == "Error"]
        expect(not errors, "valid reading has errors: %s" % describe_receipt(receipt))
        return describe_receipt(receipt)

    def invalid_vin_reported():
        expect("receipts" in state, "no receipts (SubmitReadings failed)")
        receipt = state["receipts"][1]
        issues = [i for i in as_list(receipt["Issue"]) if i["Code"] == "VIN_INVALID"]
        expect(issues, "no VIN_INVALID issue: %s" % describe_receipt(receipt))
        expect(issues[0]["IssueNumber"], "the VIN_INVALID issue has no IssueNumber")
        expect(
            receipt["Status"] == "PendingCorrection",
            "expected PendingCorrection, got %s" % describe_receipt(receipt),
        )
        return "issue %s" % issues[0]["IssueNumber"]

    check("SubmitReadings returns one receipt per reading, in order", submit)
    check("the valid reading for %s is accepted" % args.vin, valid_reading_accepted)
    check("the reading for %s gets VIN_INVALID and PendingCorrection" % INVALID_VIN,
          invalid_vin_reported)

    # (3) Idempotency: the same ClientReferences give the same ReadingIds
    def resubmit():
        expect("receipts" in state, "no receipts (SubmitReadings failed)")
        again = as_list(
            unwrap(service.SubmitReadings(Reading=readings, _soapheaders=[header]), "Receipt")
        )
        expect(len(again) == 2, "expected 2 receipts, got %d" % len(again))
        first_ids = [r["ReadingId"] for r in state["receipts"]]
        again_ids = [r["ReadingId"] for r in again]
        expect(first_ids == again_ids, "ReadingIds changed: %s then %s" % (first_ids, again_ids))
        return None

    check("resubmitting the same readings returns the same ReadingIds", resubmit)

    # (4) RequestCarPass: the reading as read now, and the Car-Pass made from the history
    def request_car_pass():
        result = service.RequestCarPass(
            ClientReference="zeep-%s-car-pass" % run,
            Vin=args.vin,
            ReadingDate=today,
            Odometer=args.odometer + 5,
            _soapheaders=[header],
        )
        car_pass = result["CarPass"]
        expect(car_pass is not None, "no Car-Pass: %s" % (result["NotIssued"],))
        expect(result["Receipt"]["ReadingId"], "no receipt for the request's reading")
        expect(len(car_pass["Id"]) == 16, "unexpected ID %r" % car_pass["Id"])
        expect(car_pass["PdfUrl"].endswith(".pdf"), "PdfUrl %r" % car_pass["PdfUrl"])
        printed = as_list(car_pass["Reading"])
        expect(printed and printed[-1]["Source"] == "car_pass", "the request's reading is not last")
        expect(car_pass["Price"] in (Decimal("0.00"), Decimal("10.50")), "price %s" % car_pass["Price"])
        return "Car-Pass %s, %d readings, %s EUR" % (car_pass["Id"], len(printed), car_pass["Price"])

    check("RequestCarPass issues a Car-Pass whose last reading is the request's", request_car_pass)

    # (5) ValidateReading of a reading dated in the future
    def validate_future():
        future = reading(
            "zeep-%s-3" % run, args.vin, today + datetime.timedelta(days=30), args.odometer
        )
        result = service.ValidateReading(Reading=future, _soapheaders=[header])
        codes = [issue["Code"] for issue in as_list(result["Issue"])]
        expect(
            result["ExpectedStatus"] == "PendingCorrection",
            "expected PendingCorrection, got %s %s" % (result["ExpectedStatus"], codes),
        )
        expect("WORK_DATE_FUTURE" in codes, "no WORK_DATE_FUTURE issue in %s" % codes)
        return None

    check("ValidateReading of a future work date predicts PendingCorrection and WORK_DATE_FUTURE",
          validate_future)

    # (6) A wrong password is refused with a SOAP fault
    def wrong_password():
        _, bad_service = make_client(
            args.wsdl, args.username, args.password + "-wrong", args.soap_version, args.timeout
        )
        try:
            bad_service.ListActivities(_soapheaders=[header])
        except zeep.exceptions.Fault as fault:
            return "fault %s" % fault.code
        raise CheckFailed("the call succeeded without a fault")

    check("a wrong password raises a SOAP fault", wrong_password)

    return finish()


if __name__ == "__main__":
    sys.exit(main())
