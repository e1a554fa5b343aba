"""Evidence files attach to an entry and download only for users who may see the entry."""

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from strategies.models import Evidence
from tests import evidence_samples as samples
from tests.conftest import login


def upload(client, item, unit, *files):
    indicator = item.indicators.get()
    return client.post(
        reverse("strategies:entry-edit", args=[item.pk, unit.pk, 1]),
        {
            "version": 0,
            "narrative": "附簽到表",
            "action": "save",
            f"value_{indicator.pk}": "1",
            "evidence": list(files),
        },
    )


def test_upload_and_download(client, item, unit_a, staff_a, staff_b, auditor, outsider, settings):
    login(client, staff_a)
    response = upload(
        client,
        item,
        unit_a,
        SimpleUploadedFile("簽到表.pdf", samples.PDF),
        SimpleUploadedFile("統計.xlsx", samples.xlsx()),
    )
    assert response.status_code == 302
    pdf, xlsx = Evidence.objects.order_by("pk")
    assert pdf.content_type == "application/pdf"
    assert xlsx.content_type.endswith("spreadsheetml.sheet")
    assert pdf.size == len(samples.PDF)
    assert len(pdf.sha256) == 64
    # Stored under MEDIA_ROOT with a name of ours, never under static files.
    assert str(settings.MEDIA_ROOT) in pdf.file.path
    assert "簽到表" not in pdf.file.name

    url = reverse("strategies:evidence-download", args=[pdf.pk])
    response = client.get(url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == samples.PDF
    assert response["Content-Type"] == "application/pdf"
    assert "attachment" in response["Content-Disposition"]

    login(client, auditor)
    response = client.get(url)
    assert response.status_code == 200
    # Reading the stream to its end closes the file (the test client closes the response).
    assert b"".join(response.streaming_content) == samples.PDF
    login(client, staff_b)
    assert client.get(url).status_code == 403
    login(client, outsider)
    assert client.get(url).status_code == 404
    client.logout()
    assert client.get(url).status_code == 302


def test_one_bad_file_refuses_the_whole_save(client, item, unit_a, staff_a):
    login(client, staff_a)
    response = upload(
        client,
        item,
        unit_a,
        SimpleUploadedFile("簽到表.pdf", samples.PDF),
        SimpleUploadedFile("巨集.xlsx", samples.EXE),
    )
    assert response.status_code == 400
    assert not Evidence.objects.exists()
    assert not item.entries.exists()


def save(client, item, unit, version, **extra):
    indicator = item.indicators.get()
    data = {"version": version, "narrative": "附簽到表", "action": "save"}
    data[f"value_{indicator.pk}"] = "1"
    data.update(extra)
    return client.post(reverse("strategies:entry-edit", args=[item.pk, unit.pk, 1]), data)


def test_staff_remove_a_file_and_history_keeps_it(client, item, unit_a, staff_a):
    login(client, staff_a)
    upload(client, item, unit_a, SimpleUploadedFile("錯的檔案.pdf", samples.PDF))
    evidence = Evidence.objects.get()
    page = client.get(reverse("strategies:entry-edit", args=[item.pk, unit_a.pk, 1]))
    assert "移除「錯的檔案.pdf」" in page.content.decode()
    response = save(client, item, unit_a, 1, remove_evidence=[evidence.pk])
    assert response.status_code == 302
    assert not Evidence.objects.exists()
    record = Evidence.history.latest("history_date")
    assert record.history_type == "-"
    assert record.history_user == staff_a
    assert record.history_change_reason == "移除佐證資料"


def test_removing_another_entrys_file_changes_nothing(
    client, year, item, unit_a, unit_b, staff_a, staff_b
):
    from tests import factories

    other_item = factories.make_item(year, hosts=[unit_b], dimension=2)
    login(client, staff_b)
    upload(client, other_item, unit_b, SimpleUploadedFile("秘書室.pdf", samples.PDF))
    theirs = Evidence.objects.get()
    login(client, staff_a)
    upload(client, item, unit_a, SimpleUploadedFile("度量衡科.pdf", samples.PDF))
    response = save(client, item, unit_a, 1, remove_evidence=[theirs.pk])
    assert response.status_code == 400
    assert Evidence.objects.count() == 2
    assert item.entries.get().version == 1
