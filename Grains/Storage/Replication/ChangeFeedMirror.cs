using System.Text.Json;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Mirc.Grains.ChangeFeed;
using Mirc.Grains.Storage.Blobs;

namespace Mirc.Grains.Storage.Replication;

/// <summary>
/// Follows the change feed (which lives in the index's database, not in blob storage) and copies its events to the
/// second site, in pages of <see cref="PageSize"/> sequences: blob <c>changefeed/{page:D12}.json</c> of the
/// <c>{prefix}-grainstate</c> container, a JSON array rewritten until the page is full. Its offset is the last event of
/// the newest page there, so a restart goes on where the second site stands. Several silos may run it: a page holds
/// whatever the feed holds for its range, so their writes converge.
/// </summary>
public sealed partial class ChangeFeedMirror : BackgroundService
{
    /// <summary>Sequences per page blob.</summary>
    public const int PageSize = 1000;

    /// <summary>Folder of the pages in the grain-state container.</summary>
    public const string Folder = "changefeed/";

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    private readonly IChangeFeed _feed;
    private readonly IBlobStore _second;
    private readonly string _container;
    private readonly ReplicationOptions _options;
    private readonly TimeProvider _clock;
    private readonly ILogger<ChangeFeedMirror> _logger;
    private List<ChangeFeedEvent> _page = [];
    private long _pageNumber = -1;
    private long _lagTicks;

    /// <summary>Creates the follower.</summary>
    public ChangeFeedMirror(IChangeFeed feed, ReplicatedBlobStore sites, InstanceBlobLayout layout, ReplicationOptions options, TimeProvider clock, ILogger<ChangeFeedMirror> logger)
    {
        ArgumentNullException.ThrowIfNull(sites);
        ArgumentNullException.ThrowIfNull(layout);
        _feed = feed;
        _second = sites.Second;
        _container = layout.GrainStateContainer;
        _options = options;
        _clock = clock;
        _logger = logger;
    }

    /// <summary>Sequence of the last event the second site holds.</summary>
    public long Offset { get; private set; }

    /// <summary>Lag of the last page written: from the newest event's append to its copy on the second site.</summary>
    public TimeSpan LastLag => TimeSpan.FromTicks(Interlocked.Read(ref _lagTicks));

    /// <summary>Copies what the feed holds beyond <see cref="Offset"/>; returns the number of events copied.</summary>
    public async Task<int> CopyNewEventsAsync(CancellationToken cancellationToken)
    {
        if (_pageNumber < 0)
        {
            await LoadNewestPageAsync(cancellationToken).ConfigureAwait(false);
        }

        var events = await _feed.ReadAsync(Offset, PageSize, null, cancellationToken).ConfigureAwait(false);
        foreach (var group in events.GroupBy(e => (e.Sequence - 1) / PageSize))
        {
            if (group.Key != _pageNumber)
            {
                _page = [];
                _pageNumber = group.Key;
            }

            _page.AddRange(group);
            var bytes = JsonSerializer.SerializeToUtf8Bytes(_page, Json);
            await _second.WriteAsync(PageKey(_pageNumber), new MemoryStream(bytes, writable: false), null, cancellationToken).ConfigureAwait(false);
            Offset = _page[^1].Sequence;
            Interlocked.Exchange(ref _lagTicks, Math.Max(0, (_clock.GetUtcNow() - _page[^1].Timestamp).Ticks));
        }

        return events.Count;
    }

    /// <inheritdoc />
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                if (await CopyNewEventsAsync(stoppingToken).ConfigureAwait(false) < PageSize)
                {
                    await Task.Delay(_options.SiteRetryDelay, stoppingToken).ConfigureAwait(false);
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                // Second site or database not answering: the offset has not moved, the next round retries.
                LogFailed(_logger, e.GetType().Name, e.Message, Offset);
                _pageNumber = -1;
                await Task.Delay(_options.SiteRetryDelay, stoppingToken).ConfigureAwait(false);
            }
        }
    }

    private async Task LoadNewestPageAsync(CancellationToken cancellationToken)
    {
        string? newest = null;
        await foreach (var blob in _second.ListAsync(_container, Folder, cancellationToken).ConfigureAwait(false))
        {
            newest = newest is null || string.CompareOrdinal(blob.Key.Name, newest) > 0 ? blob.Key.Name : newest;
        }

        _page = [];
        _pageNumber = 0;
        Offset = 0;
        if (newest is null)
        {
            return;
        }

        var stored = await _second.TryReadAllAsync(new BlobKey(_container, newest), cancellationToken).ConfigureAwait(false);
        _page = stored is null ? [] : JsonSerializer.Deserialize<List<ChangeFeedEvent>>(stored.Content.Span, Json) ?? [];
        _pageNumber = long.Parse(newest.AsSpan(Folder.Length, 12), System.Globalization.CultureInfo.InvariantCulture);
        Offset = _page.Count > 0 ? _page[^1].Sequence : _pageNumber * PageSize;
    }

    private BlobKey PageKey(long page) => new(_container, $"{Folder}{page:D12}.json");

    [LoggerMessage(Level = LogLevel.Warning, Message = "Replication: copying the change feed to the second site failed ({Error}: {Message}); retrying from sequence {Offset}")]
    private static partial void LogFailed(ILogger logger, string error, string message, long offset);
}
