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
}
