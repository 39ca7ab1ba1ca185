"""A FastAPI service on the bmc_core wheel, serving the platform's endpoints from an embedded
catalog index and the rule sets, instead of PostgreSQL, Redis and Python arithmetic.

    pip install fastapi uvicorn           # plus the bmc_core wheel
    BMC_INDEX=out/catalog-index uvicorn examples.python.fastapi_app:app

Endpoints (OpenAPI docs at /docs):

- ``GET /products/{code}``, ``GET /products/search?q=``, ``GET /products/classification/{dian_code}``
- ``POST /commissions/calculate``, ``GET /commissions/rules/current``
- ``POST /invoices/validate`` (UBL XML body, or OCR output with ``?format=``)

Amounts travel as decimal strings in JSON and are ``decimal.Decimal`` inside; every error
answers ``{"code", "message"}`` with the core's stable code.
"""


import datetime
import os
from decimal import Decimal
from typing import Literal, Optional

from fastapi import FastAPI, HTTPException, Query, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

import bmc_core
from bmc_core import errors


class ProductOut(BaseModel):
    """A catalog product, with the seed's column names."""

    product_id: int
    product_code: str
    product_name: str
    dian_classification: str
    category_id: int
    unit_type: str
    is_active: bool


class SearchHitOut(BaseModel):
    product: ProductOut
    score: float
    matched: Literal["code", "name", "words"]


class ClassificationPage(BaseModel):
    products: list[ProductOut]
    next_offset: Optional[int] = Field(None, description="Pass as `offset` for the next page.")


class LineIn(BaseModel):
    id: Optional[str] = None
    tariff_code: Optional[str] = Field(None, examples=["0901119000"])
    product_code: Optional[str] = None
    base: Decimal = Field(..., description="The line's amount before taxes, in COP.", examples=["1250000.00"])


class InvoiceIn(BaseModel):
    issue_date: datetime.date
    lines: list[LineIn]


class CommissionOut(BaseModel):
    eligible: bool
    reason: Optional[str]
    fee: Decimal
    iva: Decimal
    total: Decimal
    limit: Literal["none", "minimum", "maximum"]
    rule_set: dict[str, str]
    groups: list[dict]


class RuleSetOut(BaseModel):
    id: str
    valid_from: datetime.date
    hash: str
    description: str


class FindingOut(BaseModel):
    code: str
    severity: Literal["error", "warning", "info"]
    path: str
    message_es: str
    message_en: str


class ValidationOut(BaseModel):
    number: str
    issue_date: datetime.date
    source: str
    registrable: bool
    findings: list[FindingOut]
    doubtful_fields: list[str]


def _product(p: bmc_core.Product) -> ProductOut:
    return ProductOut(
        product_id=p.product_id,
        product_code=p.product_code,
        product_name=p.product_name,
        dian_classification=p.dian_classification,
        category_id=p.category_id,
        unit_type=p.unit_type,
        is_active=p.is_active,
    )


def create_app(
    index_dir: str,
    rules: Optional[str] = None,
    technical_key: Optional[str] = None,
    technical_keys: Optional[str] = None,
    environment: Optional[str] = None,
) -> FastAPI:
    """The app over the catalog index at ``index_dir`` (shared by FastAPI's thread pool)."""
    catalog = bmc_core.Catalog.open(index_dir)
    book = bmc_core.RuleBook.load(rules) if rules else bmc_core.RuleBook.embedded()
    app = FastAPI(title="bmc-core service", version=bmc_core.__version__)

    @app.exception_handler(errors.BmcError)
    async def bmc_error(_: Request, e: errors.BmcError) -> JSONResponse:
        return JSONResponse(status_code=400, content={"code": e.code, "message": str(e)})

    @app.get("/products/search", response_model=list[SearchHitOut])
    def search(q: str, limit: int = Query(10, ge=1, le=100), active_only: bool = False) -> list[SearchHitOut]:
        hits = catalog.search(q, limit=limit, active_only=active_only)
        return [SearchHitOut(product=_product(h["product"]), score=h["score"], matched=h["matched"]) for h in hits]

    @app.get("/products/classification/{dian_code}", response_model=ClassificationPage)
    def by_classification(
        dian_code: str, offset: int = 0, limit: int = Query(20, ge=1, le=500), active_only: bool = False
    ) -> ClassificationPage:
        page = catalog.by_classification(dian_code, active_only=active_only, offset=offset, limit=limit)
        return ClassificationPage(products=[_product(p) for p in page["products"]], next_offset=page["next_offset"])

    @app.get("/products/{code}", response_model=ProductOut)
    def product(code: str) -> ProductOut:
        found = catalog.get(code)
        if found is None:
            raise HTTPException(status_code=404, detail={"code": "NOT_FOUND", "message": f"no product {code!r}"})
        return _product(found)

    @app.post("/commissions/calculate", response_model=CommissionOut)
    def calculate(invoice: InvoiceIn) -> CommissionOut:
        payload = {
            "issue_date": invoice.issue_date,
            "lines": [line.model_dump(exclude_none=True) for line in invoice.lines],
        }
        c = book.calculate(payload, catalog=catalog)
        return CommissionOut(
            eligible=c.eligible,
            reason=c.reason,
            fee=c.fee,
            iva=c.iva,
            total=c.total,
            limit=c.limit,
            rule_set=c.rule_set,
            groups=c.groups,
        )

    @app.get("/commissions/rules/current", response_model=RuleSetOut)
    def current_rules() -> RuleSetOut:
        return RuleSetOut(**book.current())

    @app.post("/invoices/validate", response_model=ValidationOut)
    async def validate(
        request: Request,
        registration_date: Optional[datetime.date] = None,
        format: Optional[Literal["tesseract-tsv", "pdftotext-tsv", "hocr", "textract"]] = None,
    ) -> ValidationOut:
        body = await request.body()
        if format:
            invoice = bmc_core.invoice_from_ocr(body.decode("utf-8"), format, technical_key=technical_key)
        else:
            invoice = bmc_core.read_invoice(body, technical_key=technical_key)
        findings = bmc_core.validate(
            invoice,
            registration_date=registration_date or datetime.date.today(),
            technical_key=technical_key,
            technical_keys=technical_keys,
            environment=environment,
            catalog=catalog,
        )
        return ValidationOut(
            number=invoice.number,
            issue_date=invoice.issue_date,
            source=invoice.source.kind,
            registrable=bmc_core.is_registrable(findings),
            findings=[FindingOut(**f.__dict__) for f in findings],
            doubtful_fields=invoice.source.doubtful_fields(),
        )

    return app


if os.environ.get("BMC_INDEX"):
    app = create_app(
        os.environ["BMC_INDEX"],
        os.environ.get("BMC_RULES"),
        os.environ.get("BMC_TECHNICAL_KEY"),
        os.environ.get("BMC_TECHNICAL_KEYS"),
        os.environ.get("BMC_ENVIRONMENT"),
    )
