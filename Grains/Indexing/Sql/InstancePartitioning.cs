using System.Globalization;
using System.Text;

namespace Mirc.Grains.Indexing.Sql;

/// <summary>
/// PostgreSQL layout of the instance table for twenty years of a region (~5 billion rows): hash partitions on
/// <c>sop_instance_uid</c>. That column is the table's natural key — every write (<c>ON CONFLICT (sop_instance_uid)</c>),
/// instance lookup and instance delete names it — and PostgreSQL only enforces uniqueness across partitions on a key
/// that contains the partition key, so partitioning on anything else (study, establishment, year) would give up the
/// one constraint the upsert relies on. Per-instance statements touch one partition; a series' instances (image-level
/// query, study delete) are found by one probe of each partition's <c>series_key</c> index. With
/// <see cref="Count"/> partitions a 5 billion row table is ~80 million rows per partition, each small enough to
/// vacuum, reindex or re-create on its own. Patients, studies and series (one row per study/series, a hundredth of the
/// instances) stay single tables: their unique UIDs are the upsert keys and their indexes serve every study query.
/// </summary>
internal static class InstancePartitioning
{
    /// <summary>Hash partitions of the instance table.</summary>
    public const int Count = 64;

    /// <summary>
    /// Migration 3 on PostgreSQL: moves the rows of the plain <c>instances</c> table (base schema + migration 2 columns)
    /// into a partitioned one, keeping each row's <c>instance_key</c> and the identity sequence's position. On an existing
    /// archive this copies the whole table inside the start-up transaction (minutes per hundred million rows): schedule
    /// the first start of this release accordingly.
    /// </summary>
    public static string MigrationSql { get; } = Build();

    private static string Build()
    {
        var sql = new StringBuilder("""
            CREATE TABLE instances_partitioned (
              instance_key BIGINT GENERATED ALWAYS AS IDENTITY,
              sop_instance_uid TEXT NOT NULL,
              series_key BIGINT NOT NULL,
              sop_class_uid TEXT NOT NULL,
              instance_number INTEGER,
              transfer_syntax TEXT,
              number_of_frames INTEGER,
              pixel_rows INTEGER,
              pixel_columns INTEGER,
              status TEXT NOT NULL,
              specific_character_set TEXT,
              timezone_offset TEXT,
              bits_allocated INTEGER,
              CONSTRAINT instances_sop_instance_uid_unique UNIQUE (sop_instance_uid)) PARTITION BY HASH (sop_instance_uid);

            """);
        for (var i = 0; i < Count; i++)
        {
            sql.Append(CultureInfo.InvariantCulture, $"CREATE TABLE instances_p{i:D2} PARTITION OF instances_partitioned FOR VALUES WITH (MODULUS {Count}, REMAINDER {i});\n");
        }

        sql.Append("""
            INSERT INTO instances_partitioned (instance_key, sop_instance_uid, series_key, sop_class_uid, instance_number, transfer_syntax,
              number_of_frames, pixel_rows, pixel_columns, status, specific_character_set, timezone_offset, bits_allocated)
              OVERRIDING SYSTEM VALUE
              SELECT instance_key, sop_instance_uid, series_key, sop_class_uid, instance_number, transfer_syntax,
                number_of_frames, pixel_rows, pixel_columns, status, specific_character_set, timezone_offset, bits_allocated
              FROM instances;
            SELECT setval(pg_get_serial_sequence('instances_partitioned', 'instance_key'), COALESCE(MAX(instance_key), 0) + 1, false) FROM instances;
            DROP TABLE instances;
            ALTER TABLE instances_partitioned RENAME TO instances;
            CREATE INDEX ix_instances_series ON instances (series_key);
            ANALYZE instances;
            """);
        return sql.ToString();
    }
}
