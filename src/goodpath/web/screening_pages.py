"""Screening pages beyond the one-name form: the disposition of a hit (true match or false
positive, with a reason) and batch screening of an uploaded CSV or XLSX file, whose progress the
page polls every second (htmx) until the result can be downloaded."""

from __future__ import annotations

import csv
import shutil
from pathlib import Path
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData, UploadFile

from goodpath.access.policy import Permission
from goodpath.core.errors import GoodpathError, NotFound
from goodpath.core.settings import get_settings
from goodpath.core.uploads import UploadTooLarge, save_upload
from goodpath.screening import batch_jobs as jobs
from goodpath.screening import dispositions
from goodpath.screening.batch import BatchInputError, read_header
from goodpath.screening.score import DEFAULT_THRESHOLD
from goodpath.web.cable_pages import forbidden, form_fields, multipart_page, not_found, too_large
from goodpath.web.labels import N_
from goodpath.web.rendering import Page, page

router = APIRouter(include_in_schema=False)

UPLOADED = "upload"  # the file as uploaded, before it becomes the job's input.csv
XLSX_MAGIC = b"PK\x03\x04"


# --- dispositions -------------------------------------------------------------------------------


@router.post("/ui/screening/dispositions")
async def dispose(request: Request, page: Page = Depends(page)) -> Response:
    """Record the verdict on one hit, then back to the same screening (with its result)."""
    page.require_login()
    if not page.can(Permission.REVIEW_SCREENING):
        return forbidden(page)
    fields = form_fields(await request.body())
    name, country = fields.get("name", "").strip(), fields.get("country", "").strip()
    back = {"name": name, "country": country, "schema": fields.get("schema", "").strip()}
    entry_id = fields.get("entry_id", "")
    try:
        dispositions.record(
            page.session, page.viewer, name=name, country=country or None, party_id=fields.get("party_id") or None,
            entry_id=entry_id, verdict=fields.get("verdict", ""), reason=fields.get("reason", ""),
        )  # fmt: skip
    except NotFound:
        return not_found(page)
    except GoodpathError:
        page.session.rollback()
        back |= {"dispose_error": entry_id}
    else:
        back |= {"disposed": fields.get("verdict", "")}
    return RedirectResponse(f"/screening?{urlencode(back)}#hits", status_code=303)


# --- batch screening ----------------------------------------------------------------------------


def _job_row(job) -> dict:
    row = jobs.to_dict(job)
    done, total = row["progress"]["rows_done"] or 0, row["progress"]["rows_total"] or 0
    row["share"] = 1.0 if row["status"] == jobs.DONE else (min(done / total, 1.0) if total else 0.0)
    return row


def _batch_list(page: Page, error: str | None = None, status_code: int = 200) -> Response:
    rows = [_job_row(job) for job in jobs.list_jobs(page.session, page.viewer)]
    return page.render("screening_batch.html", status_code=status_code, jobs=rows, error=error,
                       threshold=DEFAULT_THRESHOLD, can_batch=page.can(Permission.SCREEN_BATCH))  # fmt: skip


@router.get("/ui/screening/batch", response_class=HTMLResponse)
def batch_page(page: Page = Depends(page)) -> Response:
    page.require_login()
    return _batch_list(page)


def _as_input(folder: Path, filename: str) -> None:
    """The uploaded file as the job's CSV input: a workbook's first sheet converted, a CSV as it is."""
    uploaded = folder / UPLOADED
    with open(uploaded, "rb") as handle:
        workbook = handle.read(len(XLSX_MAGIC)) == XLSX_MAGIC
    if filename.lower().endswith(".xlsx") or workbook:
        _xlsx_to_csv(uploaded, folder / jobs.INPUT)
        uploaded.unlink()
    else:
        uploaded.rename(folder / jobs.INPUT)
    read_header(folder / jobs.INPUT)


def _xlsx_to_csv(source: Path, target: Path) -> None:
    """The first sheet of a workbook as UTF-8 CSV (its first row is the header, as in a CSV), row by row."""
    from openpyxl import load_workbook

    with open(source, "rb") as handle:  # a file object: openpyxl would judge a path by its extension
        try:
            book = load_workbook(handle, read_only=True, data_only=True)
        except Exception as exc:  # noqa: BLE001 - any unreadable workbook is the user's file problem
            raise BatchInputError(f"not a readable XLSX workbook ({exc.__class__.__name__})") from None
        try:
            with open(target, "w", encoding="utf-8", newline="") as out:
                writer = csv.writer(out)
                for values in book.worksheets[0].iter_rows(values_only=True):
                    if values is None or all(v is None or str(v).strip() == "" for v in values):
                        continue
                    writer.writerow(["" if v is None else str(v) for v in values])
        finally:
            book.close()


@router.post("/ui/screening/batch", response_class=HTMLResponse)
async def start_batch(context: tuple[Page, FormData] = Depends(multipart_page)) -> Response:
    page, form = context
    if not page.can(Permission.SCREEN_BATCH):
        return forbidden(page)
    upload = form.get("file")
    if not isinstance(upload, UploadFile) or not upload.filename:
        return _batch_list(page, N_("Choose a CSV or XLSX file."), 422)
    filename = Path(upload.filename).name or "upload.csv"
    job_id = jobs.new_job_id()
    folder = jobs.job_folder(job_id)
    folder.mkdir(parents=True, exist_ok=False)
    try:
        try:  # streamed to disk within the limit (a 413 page past it), then made the job's CSV input
            await run_in_threadpool(save_upload, upload, folder / UPLOADED, "batch")
            await run_in_threadpool(_as_input, folder, filename)
        except UploadTooLarge as exc:
            raise too_large(page.language, exc) from None
        except BatchInputError:
            shutil.rmtree(folder, ignore_errors=True)
            return _batch_list(
                page,
                N_("The file needs a header line with the columns id and name (country and schema are optional)."),
                422,
            )  # noqa: E501
        job = jobs.create_job(page.session, page.viewer, job_id, filename, threshold=DEFAULT_THRESHOLD, limit=3,
                              include_suppressed=False)  # fmt: skip
        page.session.commit()  # the background thread must see the job
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    jobs.submit(job, get_settings().database_url, page.viewer)
    return RedirectResponse(f"/ui/screening/batch/{job_id}", status_code=303)


def _job_or_none(page: Page, job_id: str):
    try:
        return _job_row(jobs.get_job(page.session, page.viewer, job_id))
    except NotFound:
        return None


@router.get("/ui/screening/batch/{job_id}", response_class=HTMLResponse)
def batch_job_page(job_id: str, page: Page = Depends(page)) -> Response:
    page.require_login()
    job = _job_or_none(page, job_id)
    return page.render("screening_job.html", job=job) if job else not_found(page)


@router.get("/ui/screening/batch/{job_id}/progress", response_class=HTMLResponse)
def batch_progress(job_id: str, page: Page = Depends(page)) -> Response:
    """The progress fragment the job page polls (a whole page without htmx)."""
    page.require_login()
    job = _job_or_none(page, job_id)
    return page.render("screening_job.html", job=job) if job else not_found(page)
