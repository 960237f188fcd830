"""The WSDL procore-qb serves at ``GET /qbwc?wsdl``, written from :data:`.soap.METHODS`.

SOAP 1.1, document/literal, target namespace ``http://developer.intuit.com/`` and SOAPAction
``http://developer.intuit.com/<method>``, as the Web Connector expects (spec §B.10). Every
argument is optional except the two qbXML version integers; ``serverVersion`` accepts an
optional ``strVersion`` because some Web Connector builds send one.
"""

from __future__ import annotations

from xml.sax.saxutils import quoteattr

from procore_qb.quickbooks.desktop.soap import METHODS, QBWC_NAMESPACE

__all__ = ["build_wsdl"]

_INT_ARGS = {"qbXMLMajorVers", "qbXMLMinorVers"}
_RESULT_TYPES = {"authenticate": "tns:ArrayOfString", "receiveResponseXML": "s:int"}
SERVICE = "ProcoreQbWebConnector"


def _element(name: str, type_: str, *, required: bool = False) -> str:
    low = "1" if required else "0"
    return f'<s:element minOccurs="{low}" maxOccurs="1" name="{name}" type="{type_}"/>'


def build_wsdl(location: str) -> str:
    """The WSDL document, with the service at ``location`` (the ``/qbwc`` URL)."""
    types: list[str] = []
    messages: list[str] = []
    operations: list[str] = []
    bindings: list[str] = []
    for method, args in METHODS.items():
        fields = "".join(
            _element(a, "s:int", required=True) if a in _INT_ARGS else _element(a, "s:string")
            for a in args
        )
        result_type = _RESULT_TYPES.get(method, "s:string")
        result = _element(f"{method}Result", result_type, required=result_type == "s:int")
        types.append(
            f'<s:element name="{method}"><s:complexType><s:sequence>{fields}'
            f"</s:sequence></s:complexType></s:element>"
            f'<s:element name="{method}Response"><s:complexType><s:sequence>{result}'
            f"</s:sequence></s:complexType></s:element>"
        )
        messages.append(
            f'<wsdl:message name="{method}SoapIn">'
            f'<wsdl:part name="parameters" element="tns:{method}"/></wsdl:message>'
            f'<wsdl:message name="{method}SoapOut">'
            f'<wsdl:part name="parameters" element="tns:{method}Response"/></wsdl:message>'
        )
        operations.append(
            f'<wsdl:operation name="{method}">'
            f'<wsdl:input message="tns:{method}SoapIn"/>'
            f'<wsdl:output message="tns:{method}SoapOut"/></wsdl:operation>'
        )
        bindings.append(
            f'<wsdl:operation name="{method}">'
            f'<soap:operation soapAction="{QBWC_NAMESPACE}{method}" style="document"/>'
            '<wsdl:input><soap:body use="literal"/></wsdl:input>'
            '<wsdl:output><soap:body use="literal"/></wsdl:output></wsdl:operation>'
        )
    array = (
        '<s:complexType name="ArrayOfString"><s:sequence>'
        '<s:element minOccurs="0" maxOccurs="unbounded" name="string" nillable="true" '
        'type="s:string"/></s:sequence></s:complexType>'
    )
    return (
        '<?xml version="1.0" encoding="utf-8"?>\n'
        '<wsdl:definitions xmlns:wsdl="http://schemas.xmlsoap.org/wsdl/" '
        'xmlns:soap="http://schemas.xmlsoap.org/wsdl/soap/" '
        'xmlns:s="http://www.w3.org/2001/XMLSchema" '
        f'xmlns:tns="{QBWC_NAMESPACE}" targetNamespace="{QBWC_NAMESPACE}">'
        f'<wsdl:types><s:schema elementFormDefault="qualified" targetNamespace="{QBWC_NAMESPACE}">'
        f"{''.join(types)}{array}</s:schema></wsdl:types>"
        f"{''.join(messages)}"
        f'<wsdl:portType name="{SERVICE}Soap">{"".join(operations)}</wsdl:portType>'
        f'<wsdl:binding name="{SERVICE}Soap" type="tns:{SERVICE}Soap">'
        '<soap:binding transport="http://schemas.xmlsoap.org/soap/http"/>'
        f"{''.join(bindings)}</wsdl:binding>"
        f'<wsdl:service name="{SERVICE}"><wsdl:port name="{SERVICE}Soap" '
        f'binding="tns:{SERVICE}Soap"><soap:address location={quoteattr(location)}/>'
        "</wsdl:port></wsdl:service></wsdl:definitions>"
    )
