using System.Data.Common;
using System.Globalization;

namespace Mirc.Grains.Indexing.Sql;

/// <summary>
/// The instance rows of one <see cref="IndexWriter"/> pass, and the series count changes they imply. On SQLite (in the
/// process, statements prepared once) one lookup and one upsert per instance. On PostgreSQL, where every statement is a
/// round trip to the server, two statements per pass whatever its size: the previous series of every instance in one
/// lookup, every row in one upsert from arrays — a rebuild's step or a group-committed batch of a CT series costs the
/// same two round trips as one instance.
/// </summary>
internal static class InstanceRows
{
    private const string Columns = """
        sop_instance_uid, series_key, sop_class_uid, instance_number, transfer_syntax,
        number_of_frames, pixel_rows, pixel_columns, status, bits_allocated, specific_character_set, timezone_offset
        """;

    private const string OnConflict = """
        ON CONFLICT (sop_instance_uid) DO UPDATE SET
          series_key = excluded.series_key,
          sop_class_uid = excluded.sop_class_uid,
          instance_number = excluded.instance_number,
          transfer_syntax = excluded.transfer_syntax,
          number_of_frames = excluded.number_of_frames,
          pixel_rows = excluded.pixel_rows,
          pixel_columns = excluded.pixel_columns,
          status = excluded.status,
          bits_allocated = excluded.bits_allocated,
          specific_character_set = excluded.specific_character_set,
          timezone_offset = excluded.timezone_offset
        """;

    private const string UpsertOne = $"""
        INSERT INTO instances ({Columns})
        VALUES (@uid, @series, @class, @number, @syntax, @frames, @rows, @columns, @status, @bits, @charset, @timezone)
        {OnConflict}
        """;

    private const string FindOne = "SELECT series_key FROM instances WHERE sop_instance_uid = @uid";

    // One index probe per key, each reaching one hash partition: a plain join let the planner, seeing a hundred keys,
    // choose a hash join over a scan of every partition (170 - 330 ms at 0.5 M rows; hours at 5 B).
    private const string FindAll = """
        SELECT u.uid, i.series_key FROM unnest(@uids::text[]) AS u(uid)
        CROSS JOIN LATERAL (SELECT series_key FROM instances WHERE sop_instance_uid = u.uid LIMIT 1) AS i
        """;

    // Rows in arrival order (each SOP Instance UID at its first place), as one upsert per instance gives new rows keys.
    private const string UpsertAll = $"""
        INSERT INTO instances ({Columns})
        SELECT {Columns} FROM unnest(@uid::text[], @series::bigint[], @class::text[], @number::integer[], @syntax::text[], @frames::integer[],
                             @rows::integer[], @columns::integer[], @status::text[], @bits::integer[], @charset::text[], @timezone::text[])
          WITH ORDINALITY AS u({Columns}, ord)
        ORDER BY ord
        {OnConflict}
        """;

    /// <summary>
    /// Upserts the rows of <paramref name="instances"/> (in order: a SOP Instance UID given twice ends with its last
    /// values) under the series keys of <paramref name="seriesKeys"/>.
    /// </summary>
    /// <returns>The change of each series' instance count, and the series an instance left for another.</returns>
    public static Task<InstanceRowChanges> UpsertAsync(
        WriterConnection connection,
        DbTransaction transaction,
        SqlDialect dialect,
        IReadOnlyList<IndexedInstance> instances,
        IReadOnlyDictionary<string, long> seriesKeys,
        CancellationToken cancellationToken) =>
        dialect == SqlDialect.Postgres
            ? UpsertAllAsync(connection, transaction, instances, seriesKeys, cancellationToken)
            : UpsertEachAsync(connection, transaction, instances, seriesKeys, cancellationToken);

    private static async Task<InstanceRowChanges> UpsertEachAsync(
        WriterConnection connection, DbTransaction transaction, IReadOnlyList<IndexedInstance> instances, IReadOnlyDictionary<string, long> seriesKeys, CancellationToken cancellationToken)
    {
        var changes = new InstanceRowChanges();
        var find = connection.Command(transaction, FindOne, "@uid");
        var upsert = connection.Command(transaction, UpsertOne, "@uid", "@series", "@class", "@number", "@syntax", "@frames", "@rows", "@columns", "@status", "@bits", "@charset", "@timezone");
        foreach (var i in instances)
        {
            var seriesKey = seriesKeys[i.SeriesInstanceUid];
            IndexWriter.Bind(find, i.SopInstanceUid);
            var previous = await find.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false);
            changes.Moved(previous is null or DBNull ? null : Convert.ToInt64(previous, CultureInfo.InvariantCulture), seriesKey);
            var row = Row.Of(i, seriesKey);
            IndexWriter.Bind(upsert, row.Uid, row.Series, row.Class, row.Number, row.Syntax, row.Frames, row.Rows, row.Columns, row.Status, row.Bits, row.Charset, row.Timezone);

            await upsert.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        return changes;
    }

    private static async Task<InstanceRowChanges> UpsertAllAsync(
        WriterConnection connection, DbTransaction transaction, IReadOnlyList<IndexedInstance> instances, IReadOnlyDictionary<string, long> seriesKeys, CancellationToken cancellationToken)
    {
        // One row per SOP Instance UID, its last values (one upsert cannot touch a row twice). Counting from the row as it
        // was before the pass to its last series gives the net of the one-by-one moves: intermediate series cancel out.
        var last = new Dictionary<string, Row>(instances.Count, StringComparer.Ordinal);
        var order = new List<string>(instances.Count);
        foreach (var i in instances)
        {
            if (!last.ContainsKey(i.SopInstanceUid))
            {
                order.Add(i.SopInstanceUid);
            }

            last[i.SopInstanceUid] = Row.Of(i, seriesKeys[i.SeriesInstanceUid]);
        }

        var rows = order.Select(uid => last[uid]).ToArray();
        var uids = order.ToArray();
        var previous = new Dictionary<string, long>(rows.Length, StringComparer.Ordinal);
        var find = connection.Command(transaction, FindAll, "@uids");
        find.Parameters[0].Value = uids;
        await using (var reader = await find.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false))
        {
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                previous[reader.GetString(0)] = reader.GetInt64(1);
            }
        }

        var changes = new InstanceRowChanges();
        foreach (var row in rows)
        {
            changes.Moved(previous.TryGetValue(row.Uid, out var from) ? from : null, row.Series);
        }

        var upsert = connection.Command(transaction, UpsertAll, "@uid", "@series", "@class", "@number", "@syntax", "@frames", "@rows", "@columns", "@status", "@bits", "@charset", "@timezone");
        object[] columns =
        [
            uids,
            rows.Select(r => r.Series).ToArray(),
            rows.Select(r => r.Class).ToArray(),
            rows.Select(r => r.Number).ToArray(),
            rows.Select(r => r.Syntax).ToArray(),
            rows.Select(r => r.Frames).ToArray(),
            rows.Select(r => r.Rows).ToArray(),
            rows.Select(r => r.Columns).ToArray(),
            rows.Select(r => r.Status).ToArray(),
            rows.Select(r => r.Bits).ToArray(),
            rows.Select(r => r.Charset).ToArray(),
            rows.Select(r => r.Timezone).ToArray(),
        ];
        for (var c = 0; c < columns.Length; c++)
        {
            upsert.Parameters[c].Value = columns[c];
        }

        await upsert.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        return changes;
    }

    // One instance row's values as stored: absent and empty text is NULL, the status defaults to ONLINE.
    private sealed record Row(string Uid, long Series, string Class, int? Number, string? Syntax, int? Frames, int? Rows, int? Columns, string Status, int? Bits, string? Charset, string? Timezone)
    {
        public static Row Of(IndexedInstance i, long series) => new(
            i.SopInstanceUid, series, i.SopClassUid, i.InstanceNumber, IndexWriter.Text(i.TransferSyntaxUid), i.NumberOfFrames, i.Rows, i.Columns,
            IndexWriter.Text(i.Status) ?? "ONLINE", i.BitsAllocated, IndexWriter.Text(i.SpecificCharacterSet), IndexWriter.Text(i.TimezoneOffsetFromUtc));
    }
}

/// <summary>What a pass's instance rows change in the series rows: counts, and the series instances left.</summary>
internal sealed class InstanceRowChanges
{
    /// <summary>Instance count change per series key (zero entries possible).</summary>
    public Dictionary<long, int> Added { get; } = [];

    /// <summary>Series an instance left for another (their studies are recounted).</summary>
    public List<long> MovedFrom { get; } = [];

    /// <summary>An instance now in <paramref name="to"/> that was in <paramref name="from"/> (null: not stored before).</summary>
    public void Moved(long? from, long to)
    {
        if (from == to)
        {
            return;
        }

        if (from is { } left)
        {
            // Re-indexed under another series (a corrected header): it leaves the old one.
            Added[left] = Added.GetValueOrDefault(left) - 1;
            MovedFrom.Add(left);
        }

        Added[to] = Added.GetValueOrDefault(to) + 1;
    }
}
