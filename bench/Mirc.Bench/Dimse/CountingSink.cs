namespace Mirc.Bench.Dimse;

/// <summary>Drains a received data set stream and counts its bytes (the benchmark keeps nothing it retrieves).</summary>
public static class CountingSink
{
    /// <summary>Reads <paramref name="dataSet"/> to its end; returns its length.</summary>
    public static async Task<long> DrainAsync(Stream dataSet, CancellationToken cancellationToken)
    {
        var buffer = System.Buffers.ArrayPool<byte>.Shared.Rent(64 * 1024);
        try
        {
            long total = 0;
            int read;
            while ((read = await dataSet.ReadAsync(buffer, cancellationToken).ConfigureAwait(false)) > 0) total += read;
            return total;
        }
        finally
        {
            System.Buffers.ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
