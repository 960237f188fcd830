"""The faults QuickBooks Online returns, with their real codes and texts, and their JSON shapes.

Source of the codes and texts: spec A.11 (Intuit's "handling common errors" page and the real
responses quoted there). Each constructor names the rule that was broken and how to fix it in
``Detail``, the way QuickBooks does.
"""

from __future__ import annotations

from typing import Any

from procore_qb.sandbox.qbo.errors import QboFault

__all__ = [
    "business_validation",
    "duplicate_name",
    "fault_body",
    "invalid_enum",
    "invalid_property",
    "invalid_reference",
    "not_found",
    "parent_ref_required",
    "query_parse_error",
    "query_validation_error",
    "required_missing",
    "stale_object",
    "string_length",
    "throttled",
    "unauthenticated",
    "unauthorized_realm",
    "unsupported_operation",
]


def fault_body(fault: QboFault, time: str, *, lower_case: bool = False) -> dict[str, Any]:
    """``{"Fault": {"Error": [...], "type": ...}, "time": ...}`` (spec A.11).

    ``lower_case`` gives the variant some 401 responses carry (``fault``/``error``/``message``),
    which clients must also understand (spec A.11, [S]).
    """
    if lower_case:
        return {
            "fault": {
                "error": [
                    {
                        "message": fault.message,
                        "detail": fault.detail,
                        "code": fault.code,
                        "element": fault.element,
                    }
                ],
                "type": fault.fault_type,
            },
            "time": time,
        }
    return {
        "Fault": {
            "Error": [
                {
                    "Message": fault.message,
                    "Detail": fault.detail,
                    "code": fault.code,
                    "element": fault.element,
                }
            ],
            "type": fault.fault_type,
        },
        "time": time,
    }


def duplicate_name(kind: str = "customer, vendor or employee") -> QboFault:
    # Real response text: intuit/QuickBooks-V3-PHP-SDK#241 (spec A.2).
    return QboFault(
        "6240",
        "Duplicate Name Exists Error",
        f"The name supplied already exists. : Another {kind} is already using this name. "
        "Please use a different name.",
    )


def parent_ref_required() -> QboFault:
    # Real response: intuit/QuickBooks-V3-PHP-SDK#71 (spec A.2).
    return QboFault(
        "6150",
        "ParentRef Required Error",
        "ParentRef is either required or not if Job is true or false.",
        element="Job",
    )


def stale_object() -> QboFault:
    # Spec A.9: handling-common-errors page, code 5010.
    return QboFault(
        "5010",
        "Stale Object Error",
        "Stale Object Error : You and another user were working on the same thing. Please "
        "try again. (Stale object requested for update, client needs to refresh the object: "
        "read it again and send its current SyncToken.)",
    )


def required_missing(element: str, what: str = "") -> QboFault:
    # Spec A.11: code 2020 Required Param Missing.
    detail = f"Required parameter {element} is missing in the request"
    if what:
        detail += f": {what}"
    return QboFault(
        "2020",
        "Required param missing, need to supply the required value for the API",
        detail,
        element=element,
    )


def invalid_reference(element: str, entity: str, value: str) -> QboFault:
    # Spec A.11: code 2500 Invalid Reference Id (real JSON in intuit/QuickBooks-V3-PHP-SDK#95).
    return QboFault(
        "2500",
        "Invalid Reference Id",
        f"Invalid Reference Id : {entity} assigned to this transaction has been deleted or "
        f"does not exist ({element} = {value!r}). Refer to an existing, active {entity}.",
        element=element,
    )


def not_found(entity: str, entity_id: str) -> QboFault:
    # Spec A.11: code 610 Object Not Found.
    return QboFault(
        "610",
        "Object Not Found",
        f"Object Not Found : Something you're trying to use has been made inactive or "
        f"deleted: {entity} Id {entity_id}.",
    )


def invalid_enum(element: str, value: object, allowed: tuple[str, ...]) -> QboFault:
    # Spec A.11: code 2170 Invalid Enumeration.
    return QboFault(
        "2170",
        "Invalid Enumeration",
        f"Invalid Enumeration : {value!r} is not a valid value for {element}; use one of "
        + ", ".join(allowed),
        element=element,
    )


def invalid_property(element: str, entity: str) -> QboFault:
    # Spec A.11: code 2010, property unsupported/invalid.
    return QboFault(
        "2010",
        "Request has invalid or unsupported property",
        f"Property Name:{element} specified is unsupported or invalid for {entity}",
        element=element,
    )


def string_length(element: str, maximum: int, actual: int) -> QboFault:
    # Spec A.11: code 2050 String length out of range.
    return QboFault(
        "2050",
        "String length is either shorter or longer than supported by specification",
        f"String length specified does not match the supported length. Min:0 Max:{maximum} "
        f"supported. Supplied length:{actual}",
        element=element,
    )


def business_validation(detail: str, element: str = "") -> QboFault:
    # Spec A.11: code 6000 Business Validation Error.
    return QboFault(
        "6000",
        "A business validation error has occurred while processing your request",
        f"Business Validation Error: {detail}",
        element=element,
    )


def unsupported_operation(detail: str) -> QboFault:
    # Spec A.11: code 500 Unsupported Operation.
    return QboFault("500", "Unsupported Operation", f"Operation {detail}")


def query_parse_error(detail: str) -> QboFault:
    # Real texts: consolibyte/quickbooks-php#129, mcohen01/node-quickbooks#56 (code 4000).
    return QboFault("4000", "Error parsing query", f"QueryParserError: {detail}")


def query_validation_error(detail: str) -> QboFault:
    # Real text: "QueryValidationError: value 1500 is too large. Max allowed value is 1000"
    # (ruckus/quickbooks-ruby#24, spec A.6).
    return QboFault("4001", "Invalid query", f"QueryValidationError: {detail}")


def throttled() -> QboFault:
    # Real XML response in intuit/QuickBooks-V3-PHP-SDK#54 (spec A.11, A.12).
    return QboFault(
        "3001",
        "message=ThrottleExceeded; errorCode=003001; statusCode=429",
        "The request limit was reached.  Try again later",
        status=429,
        fault_type="SERVICE",
    )


def unauthenticated(why: str) -> QboFault:
    # Spec A.11: 401 with code 3200 "AuthenticationFailed" ([S]); the Detail names the cause.
    return QboFault(
        "3200",
        "message=AuthenticationFailed; errorCode=003200; statusCode=401",
        f"Token expired or invalid: {why}. Refresh the access token, or reconnect QuickBooks.",
        status=401,
        fault_type="AUTHENTICATION",
    )


def unauthorized_realm(realm_id: str) -> QboFault:
    # Spec A.11: 3100 ApplicationAuthorizationFailed, 403 ([S]).
    return QboFault(
        "3100",
        "message=ApplicationAuthorizationFailed; errorCode=003100; statusCode=403",
        f"The access token was not issued for company {realm_id}; connect that company first.",
        status=403,
        fault_type="AUTHORIZATION",
    )
