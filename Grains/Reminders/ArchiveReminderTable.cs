using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using Mirc.Grains.Storage.Blobs;

namespace Mirc.Grains.Reminders;

/// <summary>
/// Reminder table of the embedded default (one silo): every row in one small JSON document of the archive blob store,
/// replaced atomically and durably on each change. Orleans' in-memory table forgets reminders on restart, and a
/// retention bucket whose erasure awaits a retry must still be reminded after one. The table stays small (the
/// retention sweep, plus buckets with an erasure under way), so rewriting it whole is cheap. Single process only:
/// cluster mode uses Azure Table reminders.
/// </summary>
public sealed class ArchiveReminderTable : IReminderTable
{
    private readonly IBlobStore _blobs;
    private readonly BlobKey _key;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private Dictionary<(GrainId Grain, string Name), ReminderEntry>? _rows;
    private BlobETag? _version;
    private long _nextETag;

    /// <summary>Creates the table in the grain-state container of <paramref name="layout"/>.</summary>
    public ArchiveReminderTable(IBlobStore blobs, InstanceBlobLayout layout)
    {
        ArgumentNullException.ThrowIfNull(layout);
        _blobs = blobs;
        _key = new BlobKey(layout.GrainStateContainer, "reminder-table/rows.json");
    }

    /// <inheritdoc />
    public Task<ReminderTableData> ReadRows(GrainId grainId) =>
        ReadAsync(rows => new ReminderTableData(rows.Values.Where(r => r.GrainId == grainId).ToArray()));

    /// <inheritdoc />
    public Task<ReminderTableData> ReadRows(uint begin, uint end) =>
        ReadAsync(rows => new ReminderTableData(rows.Values.Where(r => InRange(r.GrainId.GetUniformHashCode(), begin, end)).ToArray()));

    /// <inheritdoc />
    public Task<ReminderEntry?> ReadRow(GrainId grainId, string reminderName) =>
        ReadAsync(rows => rows.GetValueOrDefault((grainId, reminderName)));

    /// <inheritdoc />
    public Task<string?> UpsertRow(ReminderEntry entry) =>
        ChangeAsync<string?>(rows =>
        {
            ArgumentNullException.ThrowIfNull(entry);
            var etag = NewETag();
            rows[(entry.GrainId, entry.ReminderName)] = new ReminderEntry
            {
                GrainId = entry.GrainId,
                ReminderName = entry.ReminderName,
                StartAt = entry.StartAt,
                Period = entry.Period,
                ETag = etag,
            };
            return (true, etag);
        });

    /// <inheritdoc />
    public Task<bool> RemoveRow(GrainId grainId, string reminderName, string eTag) =>
        ChangeAsync(rows =>
        {
            var removed = rows.TryGetValue((grainId, reminderName), out var row)
                && string.Equals(row.ETag, eTag, StringComparison.Ordinal)
                && rows.Remove((grainId, reminderName));
            return (removed, removed);
        });

    /// <inheritdoc />
    public Task TestOnlyClearTable() => ChangeAsync(rows =>
    {
        rows.Clear();
        return (true, true);
    });

    // Orleans' hash ranges are (begin, end], wrapping around when begin >= end.
    private static bool InRange(uint hash, uint begin, uint end) =>
        begin < end ? hash > begin && hash <= end : hash > begin || hash <= end;

    private string NewETag() => Interlocked.Increment(ref _nextETag).ToString(CultureInfo.InvariantCulture);

    private async Task<T> ReadAsync<T>(Func<Dictionary<(GrainId, string), ReminderEntry>, T> read)
    {
        await _gate.WaitAsync().ConfigureAwait(false);
        try
        {
            return read(await LoadLockedAsync().ConfigureAwait(false));
        }
        finally
        {
            _gate.Release();
        }
    }

    private async Task<T> ChangeAsync<T>(Func<Dictionary<(GrainId, string), ReminderEntry>, (bool Changed, T Result)> change)
    {
        await _gate.WaitAsync().ConfigureAwait(false);
        try
        {
            var rows = await LoadLockedAsync().ConfigureAwait(false);
            var before = new Dictionary<(GrainId, string), ReminderEntry>(rows);
            var (changed, result) = change(rows);
            if (changed)
            {
                try
                {
                    var document = JsonSerializer.SerializeToUtf8Bytes(rows.Values.Select(StoredRow.From).ToArray(), StoredRowJson.Default.StoredRowArray);
                    _version = await _blobs.WriteIfMatchAsync(_key, document, _version).ConfigureAwait(false);
                }
                catch
                {
                    // Not durable, so not done: the memory copy goes back to what storage holds.
                    _rows = before;
                    throw;
                }
            }

            return result;
        }
        finally
        {
            _gate.Release();
        }
    }

    private async Task<Dictionary<(GrainId, string), ReminderEntry>> LoadLockedAsync()
    {
        if (_rows is not null)
        {
            return _rows;
        }

        var rows = new Dictionary<(GrainId, string), ReminderEntry>();
        var content = await _blobs.TryReadAllAsync(_key).ConfigureAwait(false);
        if (content is not null)
        {
            foreach (var stored in JsonSerializer.Deserialize(content.Content.Span, StoredRowJson.Default.StoredRowArray) ?? [])
            {
                var entry = stored.ToEntry();
                rows[(entry.GrainId, entry.ReminderName)] = entry;
                _nextETag = Math.Max(_nextETag, long.TryParse(entry.ETag, NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n : 0);
            }

            _version = content.ETag;
        }

        _rows = rows;
        return rows;
    }

    /// <summary>One row as stored (grain id in its text form).</summary>
    internal sealed record StoredRow(string GrainId, string Name, DateTime StartAt, TimeSpan Period, string ETag)
    {
        public static StoredRow From(ReminderEntry e) => new(e.GrainId.ToString(), e.ReminderName, e.StartAt, e.Period, e.ETag ?? string.Empty);

        public ReminderEntry ToEntry() => new()
        {
            GrainId = Orleans.Runtime.GrainId.Parse(GrainId),
            ReminderName = Name,
            StartAt = DateTime.SpecifyKind(StartAt, DateTimeKind.Utc),
            Period = Period,
            ETag = ETag,
        };
    }
}

/// <summary>Source-generated JSON of the reminder rows.</summary>
[JsonSerializable(typeof(ArchiveReminderTable.StoredRow[]))]
internal sealed partial class StoredRowJson : JsonSerializerContext;
