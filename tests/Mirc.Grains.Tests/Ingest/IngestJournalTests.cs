using Mirc.Grains.Ingest;
using Mirc.Grains.Storage.Blobs;
using Mirc.Grains.Tests.Archive;
using Mirc.Testing;
using Xunit;

namespace Mirc.Grains.Tests.Ingest;

public sealed class IngestJournalTests : IDisposable
{
    private readonly string _root = TestEnvironment.NewTempDirectory("journal");
    private readonly FileSystemBlobStore _store;
    private readonly CountingBlobStore _blobs;
    private readonly InstanceBlobLayout _layout = new("mirc", 4);

    public IngestJournalTests()
    {
        _store = new FileSystemBlobStore(_root);
        _blobs = new CountingBlobStore(_store);
    }

    public void Dispose()
    {
        _store.Dispose();
        TestEnvironment.TryDeleteDirectory(_root);
    }

    [Fact]
    public async Task A_completed_slot_is_emptied_only_after_a_flush_of_what_came_before()
    {
        // Manifest writes are published lazily: the intents that would replay them must outlive them on disk.
        var journal = new IngestJournal(_blobs, _layout);
        var ticket = await journal.WriteAsync(new IngestJournalRecord("mirc-instances-00", "1.2/3.4/5.6.dcm", "EST", "AE", null, DateTimeOffset.UtcNow), TestContext.Current.CancellationToken);
        var written = _blobs.Operations.ToArray();
        Assert.Contains(written, o => o.StartsWith("write ", StringComparison.Ordinal) && !o.EndsWith(" 2", StringComparison.Ordinal));

        journal.Complete(ticket);
        var deadline = DateTime.UtcNow.AddSeconds(10);
        string[] operations;
        while (!(operations = _blobs.Operations.ToArray()).Any(o => o.EndsWith(" 2", StringComparison.Ordinal)) && DateTime.UtcNow < deadline)
        {
            await Task.Delay(10, TestContext.Current.CancellationToken);
        }

        var emptied = Array.FindIndex(operations, o => o.StartsWith("write ", StringComparison.Ordinal) && o.EndsWith(" 2", StringComparison.Ordinal));
        Assert.True(emptied > 0, "the slot was never emptied: " + string.Join(", ", operations));
        Assert.Equal("flush", operations[emptied - 1]);
    }

    [Fact]
    public async Task Under_load_a_completed_slot_is_overwritten_by_the_next_batch_without_an_emptying_write()
    {
        var journal = new IngestJournal(_blobs, _layout, reuseWindow: TimeSpan.FromMinutes(1));
        var first = await journal.WriteAsync(Record("1.2/3.4/5.6.dcm"), Ct);
        journal.Complete(first);
        await WaitUntilAsync(() => journal.SlotCounts.Holding == 1);

        var second = await journal.WriteAsync(Record("1.2/3.4/5.7.dcm"), Ct);

        Assert.Equal(first.Batch.Key, second.Batch.Key);
        var operations = _blobs.Operations.ToArray();
        var writes = operations.Select((o, i) => (o, i)).Where(w => w.o.StartsWith("write ", StringComparison.Ordinal)).ToArray();
        Assert.Equal(2, writes.Length); // the two batches, no emptying between them
        Assert.All(writes, w => Assert.DoesNotMatch(@" 2$", w.o));
        // The first batch's own flush, then the one its completion waited for before the slot could be overwritten.
        Assert.Equal(2, operations[(writes[0].i + 1)..writes[1].i].Count(o => o == "flush"));
        Assert.Equal((0, 0), journal.SlotCounts);
    }

    [Fact]
    public async Task A_completed_slot_left_unused_is_emptied_once_the_reuse_window_has_passed()
    {
        var window = TimeSpan.FromMilliseconds(300);
        var journal = new IngestJournal(_blobs, _layout, reuseWindow: window);
        var ticket = await journal.WriteAsync(Record("1.2/3.4/5.6.dcm"), Ct);
        var completedAt = System.Diagnostics.Stopwatch.GetTimestamp();
        journal.Complete(ticket);

        await WaitUntilAsync(() => _blobs.Operations.Any(o => o == $"write {ticket.Batch.Key} 2"));

        Assert.True(System.Diagnostics.Stopwatch.GetElapsedTime(completedAt) >= window, "emptied before the reuse window was over");
        Assert.Equal("[]", System.Text.Encoding.UTF8.GetString((await _store.TryReadAllAsync(ticket.Batch.Key, Ct))!.Content.Span));
        await WaitUntilAsync(() => journal.SlotCounts == (1, 0));
        var next = await journal.WriteAsync(Record("1.2/3.4/5.7.dcm"), Ct);
        Assert.Equal(ticket.Batch.Key, next.Batch.Key); // the emptied slot is reused
    }

    [Fact]
    public async Task A_stopped_journal_leaves_its_completed_slots_as_they_are()
    {
        // The host stops while a slot waits out its reuse window: no write follows (the data folder may be gone or
        // another process's by then); the next start's reconciliation re-checks the completed intents.
        var journal = new IngestJournal(_blobs, _layout, reuseWindow: TimeSpan.FromMinutes(1));
        var ticket = await journal.WriteAsync(Record("1.2/3.4/5.6.dcm"), Ct);
        journal.Complete(ticket);
        await WaitUntilAsync(() => journal.SlotCounts.Holding == 1 && journal.EmptyingScheduled);
        var before = _blobs.Operations.Count;

        await journal.DisposeAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(10), Ct);

        Assert.False(journal.EmptyingScheduled);
        Assert.Equal(before, _blobs.Operations.Count);
        Assert.NotEqual("[]", System.Text.Encoding.UTF8.GetString((await _store.TryReadAllAsync(ticket.Batch.Key, Ct))!.Content.Span));
    }

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static IngestJournalRecord Record(string finalName) => new("mirc-instances-00", finalName, "EST", "AE", null, DateTimeOffset.UtcNow);

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "condition not met within 10 s");
            await Task.Delay(10, Ct);
        }
    }
}
