using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Mirc.Api.Tests.DicomWeb.EndToEnd;
using Mirc.Grains.Interfaces.Audit;
using Xunit;

namespace Mirc.Api.Tests.Shares;

/// <summary>Push of a stored study to a recipient AE through <c>/api/shares</c>, received by a real dcmtk storescp.</summary>
public sealed class ShareEndpointTests(ShareFixture fixture) : IClassFixture<ShareFixture>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Share_pushes_every_instance_byte_identical_and_is_audited()
    {
        using var response = await PostShareAsync(fixture.Study.StudyUid, ShareFixture.RecipientAe, "second opinion");

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var accepted = await response.ReadJsonAsync();
        var shareId = accepted.GetProperty("shareId").GetString()!;
        Assert.Equal($"/api/shares/{shareId}", response.Headers.Location?.OriginalString);
        Assert.Contains(accepted.GetProperty("status").GetString(), new[] { "queued", "running", "completed" });

        var share = await WaitFinishedAsync(shareId);
        Assert.Equal("completed", share.GetProperty("status").GetString());
        Assert.Equal(fixture.Instances.Count, share.GetProperty("total").GetInt32());
        Assert.Equal(fixture.Instances.Count, share.GetProperty("completed").GetInt32());
        Assert.Equal(0, share.GetProperty("failed").GetInt32());
        Assert.NotEqual(JsonValueKind.Null, share.GetProperty("finishedAt").ValueKind);
        foreach (var instance in fixture.Instances)
        {
            var received = fixture.Recipient.ReceivedFile(instance.SopUid);
            Assert.NotNull(received);
            var bytes = await File.ReadAllBytesAsync(received, Ct);
            Assert.True(Part10DataSet.Of(bytes).SequenceEqual(Part10DataSet.Of(instance.Bytes)), $"dataset of {instance.SopUid} differs");
        }

        // The worker audits the outcome right after it finishes the share: give it a moment.
        var audited = await WaitAuditedAsync(shareId, count: 2);
        Assert.Contains(audited, e => e.Outcome == AuditOutcome.Success && e.Detail!.Contains("queued", StringComparison.Ordinal));
        Assert.Contains(audited, e => e.Outcome == AuditOutcome.Success && e.Detail!.Contains($"{fixture.Instances.Count} sent", StringComparison.Ordinal)
            && e.Detail.Contains(ShareFixture.RecipientAe, StringComparison.Ordinal) && e.StudyUids.Contains(fixture.Study.StudyUid));
    }

    [Fact]
    public async Task Share_to_a_tls_recipient_goes_over_tls_with_our_client_certificate()
    {
        // storescp +tls requires and verifies our client certificate (dcmtk's default); we verify its server certificate.
        using var response = await PostShareAsync(fixture.Study.StudyUid, ShareFixture.TlsRecipientAe, "second opinion over TLS");
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var share = await WaitFinishedAsync((await response.ReadJsonAsync()).GetProperty("shareId").GetString()!);

        Assert.Equal("completed", share.GetProperty("status").GetString());
        Assert.Equal(fixture.Instances.Count, share.GetProperty("completed").GetInt32());
        Assert.All(fixture.Instances, i => Assert.NotNull(fixture.TlsRecipient.ReceivedFile(i.SopUid)));
    }

    [Fact]
    public async Task Shares_of_a_study_are_listed()
    {
        using var response = await PostShareAsync(fixture.Study.StudyUid, ShareFixture.RecipientAe, "listing");
        var shareId = (await response.ReadJsonAsync()).GetProperty("shareId").GetString();

        using var list = await fixture.Host.Http.GetAsync($"/api/shares?studyInstanceUid={fixture.Study.StudyUid}", Ct);

        Assert.Equal(HttpStatusCode.OK, list.StatusCode);
        var shares = await list.ReadJsonAsync();
        Assert.Contains(shares.EnumerateArray(), s => s.GetProperty("shareId").GetString() == shareId
            && s.GetProperty("studyInstanceUid").GetString() == fixture.Study.StudyUid && s.GetProperty("reason").GetString() == "listing");
    }

    [Fact]
    public async Task Unreachable_recipient_is_retried_then_fails_the_share_past_the_horizon_and_lists_every_instance()
    {
        using var response = await PostShareAsync(fixture.Study.StudyUid, ShareFixture.UnreachableAe, "unreachable");
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var shareId = (await response.ReadJsonAsync()).GetProperty("shareId").GetString()!;

        var share = await WaitFinishedAsync(shareId);

        Assert.Equal("failed", share.GetProperty("status").GetString());
        Assert.Equal(0, share.GetProperty("completed").GetInt32());
        var failed = share.GetProperty("failedSopInstanceUids").EnumerateArray().Select(e => e.GetString()).ToHashSet();
        Assert.True(failed.SetEquals(fixture.Instances.Select(i => i.SopUid)));
        Assert.StartsWith("Gave up after the retry horizon", share.GetProperty("error").GetString(), StringComparison.Ordinal);
        Assert.True(share.GetProperty("attempts").GetInt32() >= 2, "the reminder retried before giving up");
        Assert.Contains(await WaitAuditedAsync(shareId, count: 2), e => e.Outcome == AuditOutcome.Failure && e.Detail?.Contains(shareId, StringComparison.Ordinal) == true);
    }

    [Fact]
    public async Task Study_the_caller_may_not_retrieve_answers_404_and_creates_nothing()
    {
        var hidden = StudyDescription.Create();
        using var stored = await fixture.Host.Http.StowAsync([SyntheticInstance.Native(hidden, SyntheticInstance.NewUid(), 1, 1).Bytes]);
        Assert.True(stored.IsSuccessStatusCode);
        fixture.Host.Access.Deny(hidden.StudyUid);

        using var denied = await PostShareAsync(hidden.StudyUid, ShareFixture.RecipientAe, "not mine");
        using var unknown = await PostShareAsync(SyntheticInstance.NewUid(), ShareFixture.RecipientAe, "no such study");
        using var list = await fixture.Host.Http.GetAsync($"/api/shares?studyInstanceUid={hidden.StudyUid}", Ct);

        Assert.Equal(HttpStatusCode.NotFound, denied.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, list.StatusCode);
        Assert.Equal("application/problem+json", denied.Content.Headers.ContentType?.MediaType);
        Assert.Empty(await fixture.Host.Grains.GetGrain<Mirc.Grains.Interfaces.Sharing.IStudySharesGrain>(hidden.StudyUid).GetAllAsync());
        Assert.Contains(fixture.Host.Audit.Events, e => e.Outcome == AuditOutcome.Denied && e.StudyUids.Contains(hidden.StudyUid));
    }

    [Fact]
    public async Task Invalid_fields_are_reported_one_by_one()
    {
        using var response = await fixture.Host.Http.PostAsJsonAsync("/api/shares",
            new { studyInstanceUid = "1.2.abc", recipientAeTitle = "BACK\\SLASH", reason = "" }, Ct);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var errors = (await response.ReadJsonAsync()).GetProperty("errors");
        Assert.True(errors.TryGetProperty("studyInstanceUid", out _));
        Assert.True(errors.TryGetProperty("recipientAeTitle", out _));
        Assert.True(errors.TryGetProperty("reason", out _));
    }

    [Theory]
    [InlineData("NOT_REGISTERED")]
    [InlineData(ShareFixture.NotARecipientAe)]
    public async Task Recipient_must_be_a_registered_move_destination(string aeTitle)
    {
        using var response = await PostShareAsync(fixture.Study.StudyUid, aeTitle, "wrong recipient");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.True((await response.ReadJsonAsync()).GetProperty("errors").TryGetProperty("recipientAeTitle", out _));
    }

    [Fact]
    public async Task Unknown_share_is_404()
    {
        using var response = await fixture.Host.Http.GetAsync("/api/shares/" + Guid.NewGuid().ToString("N"), Ct);
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    private async Task<IReadOnlyList<AuditEvent>> WaitAuditedAsync(string shareId, int count)
    {
        for (var attempt = 0; ; attempt++)
        {
            var events = fixture.Host.Audit.Events.Where(e => e.Detail?.Contains(shareId, StringComparison.Ordinal) == true).ToList();
            if (events.Count >= count || attempt == 100) return events;
            await Task.Delay(50, Ct);
        }
    }

    private Task<HttpResponseMessage> PostShareAsync(string studyUid, string recipientAe, string reason) =>
        fixture.Host.Http.PostAsJsonAsync("/api/shares", new { studyInstanceUid = studyUid, recipientAeTitle = recipientAe, reason }, Ct);

    private async Task<JsonElement> WaitFinishedAsync(string shareId)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        deadline.CancelAfter(TimeSpan.FromSeconds(30));
        while (true)
        {
            using var response = await fixture.Host.Http.GetAsync($"/api/shares/{shareId}", deadline.Token);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            var share = await response.ReadJsonAsync();
            if (share.GetProperty("status").GetString() is "completed" or "failed") return share;
            await Task.Delay(100, deadline.Token);
        }
    }
}
