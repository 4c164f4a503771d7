using Mirc.Grains.ChangeFeed;
using Mirc.Testing;

namespace Mirc.Grains.Tests.ChangeFeed;

/// <summary>
/// A real SQLite feed in a folder of its own (deleted on dispose) behind a decorator: each call goes to it unless the
/// test's subclass holds or fails it.
/// </summary>
internal abstract class ForwardingChangeFeed : IChangeFeed, IAsyncDisposable
{
    private readonly string _folder = TestEnvironment.NewTempDirectory("test-feed");
    private readonly SqliteChangeFeed _inner;

    protected ForwardingChangeFeed(bool flushedWithDataFolder)
    {
        _inner = new SqliteChangeFeed(Path.Combine(_folder, "changefeed.db"), flushedWithDataFolder: flushedWithDataFolder);
    }

    public bool FlushedWithDataFolder => _inner.FlushedWithDataFolder;

    public virtual Task AppendAsync(IReadOnlyList<ChangeFeedEvent> events, CancellationToken cancellationToken = default) =>
        _inner.AppendAsync(events, cancellationToken);

    public Task AppendBeforeFlushAsync(IReadOnlyList<ChangeFeedEvent> events, CancellationToken cancellationToken = default) =>
        _inner.AppendBeforeFlushAsync(events, cancellationToken);

    public Task<IReadOnlyList<ChangeFeedEvent>> ReadAsync(long offset, int limit, string? establishmentId, CancellationToken cancellationToken = default) =>
        _inner.ReadAsync(offset, limit, establishmentId, cancellationToken);

    public Task<ChangeFeedEvent?> LatestAsync(string? establishmentId, CancellationToken cancellationToken = default) =>
        _inner.LatestAsync(establishmentId, cancellationToken);

    public Task<IReadOnlyList<ChangeFeedStudy>> StudiesAsync(long afterFirstSequence, int limit, CancellationToken cancellationToken = default) =>
        _inner.StudiesAsync(afterFirstSequence, limit, cancellationToken);

    public Task<IReadOnlyList<ChangeFeedEvent>> StudyEventsAsync(string studyInstanceUid, CancellationToken cancellationToken = default) =>
        _inner.StudyEventsAsync(studyInstanceUid, cancellationToken);

    public async ValueTask DisposeAsync()
    {
        await _inner.DisposeAsync();
        TestEnvironment.TryDeleteDirectory(_folder);
    }
}
