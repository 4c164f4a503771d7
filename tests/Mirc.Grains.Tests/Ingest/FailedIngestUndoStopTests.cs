using System.Reflection;
using Microsoft.Extensions.Logging.Abstractions;
using Mirc.Grains.Ingest;
using Mirc.Grains.Storage.Blobs;
using Mirc.Testing;
using Xunit;

namespace Mirc.Grains.Tests.Ingest;

/// <summary>The background retries of a failed undo end with the host; the record they leave is the next start's to redo.</summary>
public sealed class FailedIngestUndoStopTests : IDisposable
{
    private readonly string _root = TestEnvironment.NewTempDirectory("undo-stop");
    private readonly FileSystemBlobStore _blobs;
    private readonly InstanceBlobLayout _layout = new("mirc", 4);

    public FailedIngestUndoStopTests() => _blobs = new FileSystemBlobStore(_root);

    public void Dispose()
    {
        _blobs.Dispose();
        TestEnvironment.TryDeleteDirectory(_root);
    }

    [Fact]
    public async Task A_stopped_host_ends_the_retries_of_an_undo_and_keeps_its_record()
    {
        var ct = TestContext.Current.CancellationToken;
        // Grains out of reach (the study's silo is gone): the undo fails, is recorded, and retried in the background
        // for about two minutes.
        var grains = DispatchProxy.Create<IGrainFactory, UnreachableGrains>();
        var undo = new FailedIngestUndo(_blobs, _layout, grains, null!, NullLogger<FailedIngestUndo>.Instance);
        Assert.True(await undo.UndoOrRecordAsync(new FailedIngest("mirc-instances-00", "00/1.2_1.2.3.dcm", "1.2", "1.2.3", "xxh128:0", null)));
        Assert.Equal(1, undo.RetriesInFlight);

        await undo.DisposeAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(10), ct);

        Assert.Equal(0, undo.RetriesInFlight);
        // The failed undo's call, and at most the first retry's (due 0.5 s after): none once stopped, though ten were due.
        Assert.InRange(((UnreachableGrains)(object)grains).Calls, 1, 2);
        Assert.Single(await _blobs.ListAsync(_layout.StagingContainer, FailedIngestUndo.Prefix, ct).ToListAsync(ct));
    }

    /// <summary>Every grain call fails, as when the grains' silo cannot be reached.</summary>
    public class UnreachableGrains : DispatchProxy
    {
        private int _calls;

        public int Calls => Volatile.Read(ref _calls);

        protected override object? Invoke(MethodInfo? targetMethod, object?[]? args)
        {
            Interlocked.Increment(ref _calls);
            throw new InvalidOperationException($"grains unreachable ({targetMethod?.Name})");
        }
    }
}
