#!/usr/bin/env python3
"""Writes Amazon Textract-shaped fixtures from real Tesseract output of the sample pages.

The responses follow the shapes AWS documents for DetectDocumentText (Blocks of PAGE, LINE
and WORD with Geometry, Confidence and CHILD relationships) and AnalyzeExpense
(ExpenseDocuments with SummaryFields, LineItemGroups and Blocks). They are NOT produced by
AWS: the words, positions and confidences are Tesseract's, converted; the expense fields are
the sample invoice's printed values. Run from the repository root:

    python3 data/invoices/ocr/make_textract.py
"""

import csv
import json
import uuid
from pathlib import Path

HERE = Path(__file__).parent
INVOICES = HERE.parent


def words(tsv_path):
    rows = list(csv.DictReader(open(tsv_path, encoding="utf-8"), delimiter="\t", quoting=csv.QUOTE_NONE))
    page = next(r for r in rows if r["level"] == "1")
    width, height = float(page["width"]), float(page["height"])
    out = []
    for r in rows:
        if r["level"] != "5" or not r["text"].strip() or float(r["conf"]) < 0:
            continue
        out.append({
            "key": (r["block_num"], r["par_num"], r["line_num"]),
            "text": r["text"],
            "conf": float(r["conf"]),
            "left": float(r["left"]) / width,
            "top": float(r["top"]) / height,
            "width": float(r["width"]) / width,
            "height": float(r["height"]) / height,
        })
    return out


def ident(seed):
    return str(uuid.uuid5(uuid.NAMESPACE_URL, seed))


def geometry(left, top, width, height):
    return {
        "BoundingBox": {"Width": width, "Height": height, "Left": left, "Top": top},
        "Polygon": [
            {"X": left, "Y": top},
            {"X": left + width, "Y": top},
            {"X": left + width, "Y": top + height},
            {"X": left, "Y": top + height},
        ],
    }


def blocks(tsv_path, seed):
    ws = words(tsv_path)
    lines = {}
    for i, w in enumerate(ws):
        w["id"] = ident(f"{seed}-word-{i}")
        lines.setdefault(w["key"], []).append(w)
    page_id = ident(f"{seed}-page")
    out = [{
        "BlockType": "PAGE",
        "Geometry": geometry(0.0, 0.0, 1.0, 1.0),
        "Id": page_id,
        "Relationships": [{"Type": "CHILD", "Ids": []}],
        "Page": 1,
    }]
    for n, (key, members) in enumerate(lines.items()):
        left = min(w["left"] for w in members)
        top = min(w["top"] for w in members)
        right = max(w["left"] + w["width"] for w in members)
        bottom = max(w["top"] + w["height"] for w in members)
        line_id = ident(f"{seed}-line-{n}")
        out[0]["Relationships"][0]["Ids"].append(line_id)
        out.append({
            "BlockType": "LINE",
            "Confidence": round(sum(w["conf"] for w in members) / len(members), 6),
            "Text": " ".join(w["text"] for w in members),
            "Geometry": geometry(left, top, right - left, bottom - top),
            "Id": line_id,
            "Relationships": [{"Type": "CHILD", "Ids": [w["id"] for w in members]}],
            "Page": 1,
        })
    for w in ws:
        out.append({
            "BlockType": "WORD",
            "Confidence": round(w["conf"], 6),
            "Text": w["text"],
            "TextType": "PRINTED",
            "Geometry": geometry(w["left"], w["top"], w["width"], w["height"]),
            "Id": w["id"],
            "Page": 1,
        })
    return out


def field(kind, value, label=None, confidence=97.5):
    f = {
        "Type": {"Text": kind, "Confidence": 99.0},
        "ValueDetection": {"Text": value, "Geometry": geometry(0.5, 0.1, 0.2, 0.02), "Confidence": confidence},
        "PageNumber": 1,
    }
    if label:
        f["LabelDetection"] = {"Text": label, "Geometry": geometry(0.1, 0.1, 0.2, 0.02), "Confidence": confidence}
    return f


def cop(value):
    whole, _, cents = f"{float(value):.2f}".partition(".")
    groups = []
    while whole:
        groups.insert(0, whole[-3:])
        whole = whole[:-3]
    return f"$ {'.'.join(groups)},{cents}"


def expense(truth, with_blocks, tsv_path, seed):
    summary = [
        field("VENDOR_NAME", truth["seller"]["name"]),
        field("INVOICE_RECEIPT_ID", truth["number"], "No."),
        field("INVOICE_RECEIPT_DATE", "/".join(reversed(truth["issue_date"].split("-"))), "Fecha de emisión:"),
        field("RECEIVER_NAME", truth["buyer"]["name"], "Cliente:"),
        field("SUBTOTAL", cop(truth["totals"]["line_extension"]), "Subtotal:"),
        field("TAX", cop(sum(float(t["amount"]) for t in truth.get("tax_totals", []))), "IVA:"),
        field("TOTAL", cop(truth["totals"]["payable"]), "Total a pagar:"),
    ]
    seller_nit = truth["seller"]["id"]
    summary.insert(1, field("VENDOR_VAT_NUMBER", f"{int(seller_nit):,}".replace(",", ".") + "-" + truth["seller"]["check_digit"], "NIT:"))
    if truth.get("due_date"):
        summary.append(field("DUE_DATE", "/".join(reversed(truth["due_date"].split("-"))), "Fecha de vencimiento:"))
    items = []
    for line in truth["lines"]:
        code = line.get("seller_code") or line["item_code"]["code"]
        quantity = line["quantity"].replace(".", ",")
        items.append({"LineItemExpenseFields": [
            field("PRODUCT_CODE", code, "Código"),
            field("ITEM", line["description"], "Descripción"),
            field("QUANTITY", quantity, "Cant."),
            field("UNIT_PRICE", cop(line["unit_price"]), "Vr. unitario"),
            field("PRICE", cop(line["base"]), "Total"),
            field("EXPENSE_ROW", " ".join([code, line["description"], quantity, cop(line["unit_price"]), cop(line["base"])])),
        ]})
    document = {
        "ExpenseIndex": 1,
        "SummaryFields": summary,
        "LineItemGroups": [{"LineItemGroupIndex": 1, "LineItems": items}],
    }
    if with_blocks:
        document["Blocks"] = blocks(tsv_path, seed)
    return {"DocumentMetadata": {"Pages": 1}, "ExpenseDocuments": [document]}


def main():
    detect = {"DocumentMetadata": {"Pages": 1}, "Blocks": blocks(HERE / "FEV-0004.tesseract.tsv", "FEV-0004"),
              "DetectDocumentTextModelVersion": "1.0"}
    (HERE / "FEV-0004.textract.json").write_text(json.dumps(detect, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    truth7 = json.loads((INVOICES / "FEV-0007.json").read_text(encoding="utf-8"))
    with_blocks = expense(truth7, True, HERE / "FEV-0007.tesseract.tsv", "FEV-0007")
    (HERE / "FEV-0007.expense.json").write_text(json.dumps(with_blocks, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    truth2 = json.loads((INVOICES / "FEV-0002.json").read_text(encoding="utf-8"))
    summary_only = expense(truth2, False, None, "FEV-0002")
    (HERE / "FEV-0002.expense.json").write_text(json.dumps(summary_only, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
