using Mirc.Grains.Ingest;
using Mirc.Grains.Storage.Blobs;
using Mirc.Grains.Tests.Archive;
using Mirc.Testing;
using Xunit;

namespace Mirc.Grains.Tests.Ingest;

public sealed class IngestJournalTests : IDisposable
{
    private readonly string _root = TestEnvironment.NewTempDirectory("journal");
    private readonly InstanceBlobLayout _layout = new("mirc", 4);

    public void Dispose() => TestEnvironment.TryDeleteDirectory(_root);

    [Theory]
    [InlineData(FileSystemDurability.SharedSync)]
    [InlineData(FileSystemDurability.PerFile)]
    public async Task A_completed_slot_is_emptied_only_after_a_flush_of_what_came_before(FileSystemDurability durability)
    {
        // Manifest writes are published lazily: the intents that would replay them must outlive them on disk.
        using var store = new FileSystemBlobStore(_root, durability);
        var blobs = new CountingBlobStore(store);
        var journal = new IngestJournal(blobs, _layout);
        var ticket = await journal.WriteAsync(Record(), TestContext.Current.CancellationToken);
        Assert.Contains(blobs.Operations, o => o.StartsWith("write", StringComparison.Ordinal) && !o.EndsWith(" 2", StringComparison.Ordinal));

        journal.Complete(ticket);
        var deadline = DateTime.UtcNow.AddSeconds(10);
        string[] operations;
        while (!(operations = blobs.Operations.ToArray()).Any(o => o.EndsWith(" 2", StringComparison.Ordinal)) && DateTime.UtcNow < deadline)
        {
            await Task.Delay(10, TestContext.Current.CancellationToken);
        }

        var emptied = Array.FindIndex(operations, o => o.StartsWith("write", StringComparison.Ordinal) && o.EndsWith(" 2", StringComparison.Ordinal));
        Assert.True(emptied > 0, "the slot was never emptied: " + string.Join(", ", operations));
        Assert.Equal("flush", operations[emptied - 1]);
    }

    [Theory]
    [InlineData(FileSystemDurability.SharedSync, "write-lazily ")]
    [InlineData(FileSystemDurability.PerFile, "write ")]
    public async Task An_intent_is_written_lazily_only_where_the_stores_next_durable_operation_persists_it_too(FileSystemDurability durability, string expected)
    {
        // On shared syncfs rounds every acknowledged ingest waits for a round started after its intent (the manifest's
        // content flush at least), which persists the intent too: the slot write need not wait for a round of its own.
        // With an fsync per file, a later fsync of the manifest would not cover the slot: it is flushed on its own.
        using var store = new FileSystemBlobStore(_root, durability);
        var blobs = new CountingBlobStore(store);
        var journal = new IngestJournal(blobs, _layout);
        await journal.WriteAsync(Record(), TestContext.Current.CancellationToken);

        var intent = Assert.Single(blobs.Operations);
        Assert.StartsWith(expected, intent, StringComparison.Ordinal);
        Assert.Contains("/journal/", intent, StringComparison.Ordinal);
    }

    private static IngestJournalRecord Record() => new("mirc-instances-00", "1.2/3.4/5.6.dcm", "EST", "AE", null, DateTimeOffset.UtcNow);
}
