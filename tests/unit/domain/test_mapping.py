from __future__ import annotations

from dataclasses import replace
from datetime import date
from functools import reduce

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from procore_qb.domain.mapping import (
    FIELD_MAPPING,
    ProjectFields,
    apply_job,
    job_fields,
    job_status_for,
    project_fields,
    project_to_job,
)
from procore_qb.domain.project import Address, ProcoreProject
from procore_qb.domain.quickbooks_job import JobAddress, JobStatus, QuickBooksJob

from .factories import COMPANY_ID, JOB_ID, eligible_project


def get(obj: object, path: str) -> object:
    return reduce(getattr, path.split("."), obj)


class TestProjectToJob:
    def test_every_mapped_field(self) -> None:
        project = eligible_project()
        job = project_to_job(project, parent_id="80000001", parent_full_name="Acme")
        for procore_path, job_path in FIELD_MAPPING:
            assert get(job, job_path) == get(project, procore_path), procore_path
        assert job.full_name == "Acme:Riverside Clinic"
        assert (job.parent_id, job.parent_full_name) == ("80000001", "Acme")
        assert job.status is JobStatus.IN_PROGRESS
        assert (job.id, job.version) == (None, None)
        assert job.address == JobAddress(
            "12 River Rd", "Suite 4", "Springfield", "IL", "62701", "US"
        )
        assert (job.start_date, job.projected_end_date) == (date(2026, 4, 1), date(2027, 1, 31))

    def test_a_top_level_customer_has_its_own_name_as_full_name(self) -> None:
        job = project_to_job(eligible_project())
        assert job.full_name == "Riverside Clinic"
        assert not job.is_job

    def test_an_update_keeps_id_version_parent_and_status(self) -> None:
        existing = QuickBooksJob(
            name="Old name",
            full_name="Acme:Old name",
            id=JOB_ID,
            version="17",
            parent_id="80000001",
            parent_full_name="Acme",
            status=JobStatus.AWARDED,
        )
        job = project_to_job(eligible_project(), existing=existing)
        assert (job.id, job.version, job.parent_id) == (JOB_ID, "17", "80000001")
        assert job.full_name == "Acme:Riverside Clinic"
        assert job.status is JobStatus.AWARDED

    def test_an_inactive_project_closes_the_job(self) -> None:
        job = project_to_job(eligible_project(active=False))
        assert (job.active, job.status) == (False, JobStatus.CLOSED)

    @pytest.mark.parametrize(
        ("active", "current", "expected"),
        [
            (True, None, JobStatus.IN_PROGRESS),
            (True, JobStatus.CLOSED, JobStatus.IN_PROGRESS),
            (True, JobStatus.PENDING, JobStatus.PENDING),
            (True, JobStatus.NONE, JobStatus.NONE),
            (False, JobStatus.AWARDED, JobStatus.CLOSED),
            (False, None, JobStatus.CLOSED),
        ],
    )
    def test_job_status_for(
        self, active: bool, current: JobStatus | None, expected: JobStatus
    ) -> None:
        assert job_status_for(active, current) is expected


class TestJobToProject:
    JOB = QuickBooksJob(
        name="Hillside Depot",
        full_name="Acme:Hillside Depot",
        id="8000AA-1",
        version="3",
        parent_id="80000001",
        parent_full_name="Acme",
        number="J-77",
        address=JobAddress("1 Hill St", "", "Dayton", "OH", "45402", "USA"),
        start_date=date(2025, 5, 1),
        projected_end_date=date(2026, 5, 1),
        status=JobStatus.IN_PROGRESS,
    )

    def test_every_mapped_field(self) -> None:
        fields = job_fields(self.JOB)
        assert fields == ProjectFields(
            name="Hillside Depot",
            project_number="J-77",
            address=Address("1 Hill St", "", "Dayton", "OH", "45402", "USA"),
            start_date=date(2025, 5, 1),
            completion_date=date(2026, 5, 1),
            active=True,
        )

    @pytest.mark.parametrize(
        ("active", "status", "expected"),
        [
            (True, JobStatus.IN_PROGRESS, True),
            (True, JobStatus.PENDING, True),
            (True, JobStatus.CLOSED, False),
            (False, JobStatus.IN_PROGRESS, False),
        ],
    )
    def test_active_comes_from_is_active_and_status(
        self, active: bool, status: JobStatus, expected: bool
    ) -> None:
        assert job_fields(replace(self.JOB, active=active, status=status)).active is expected

    def test_apply_job_keeps_procore_ids_and_the_rest(self) -> None:
        project = eligible_project(origin_id="x")
        updated = apply_job(project, self.JOB)
        assert project_fields(updated) == job_fields(self.JOB)
        assert (updated.id, updated.company_id, updated.origin_id) == (project.id, COMPANY_ID, "x")
        assert updated.cost_codes == project.cost_codes


texts = st.text(max_size=50)
dates = st.none() | st.dates(min_value=date(1990, 1, 1), max_value=date(2100, 12, 31))
addresses = st.builds(Address, texts, texts, texts, texts, texts, texts)
projects = st.builds(
    ProcoreProject,
    id=st.integers(1, 10**9),
    company_id=st.just(COMPANY_ID),
    name=texts,
    project_number=texts,
    address=addresses,
    start_date=dates,
    completion_date=dates,
    active=st.booleans(),
)


@settings(deadline=None)  # never a wall-clock assertion
@given(projects, st.sampled_from(["", "Acme", "Acme:West"]))
def test_project_to_job_to_project_round_trips(project: ProcoreProject, parent: str) -> None:
    job = project_to_job(project, parent_full_name=parent)
    assert job_fields(job) == project_fields(project)
    assert apply_job(project, job) == project


consistent_jobs = st.builds(
    QuickBooksJob,
    name=texts,
    id=st.text(min_size=1, max_size=20),
    version=st.text(min_size=1, max_size=16),
    parent_id=st.none() | st.just("80000001"),
    number=texts,
    address=st.builds(JobAddress, texts, texts, texts, texts, texts, texts),
    start_date=dates,
    projected_end_date=dates,
    status=st.sampled_from(JobStatus),
    active=st.booleans(),
).filter(lambda j: j.active == (j.status is not JobStatus.CLOSED))


@settings(deadline=None)  # never a wall-clock assertion
@given(consistent_jobs)
def test_job_to_project_to_job_round_trips_where_quickbooks_allows(job: QuickBooksJob) -> None:
    """A job whose IsActive agrees with its status comes back unchanged."""
    project = apply_job(eligible_project(), job)
    back = project_to_job(project, existing=job)
    for _, job_path in FIELD_MAPPING:
        assert get(back, job_path) == get(job, job_path), job_path
    assert (back.id, back.version, back.status, back.parent_id) == (
        job.id,
        job.version,
        job.status,
        job.parent_id,
    )
