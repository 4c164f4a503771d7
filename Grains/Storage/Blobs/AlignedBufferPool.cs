using System.Collections.Concurrent;
using System.Runtime.InteropServices;

namespace Mirc.Grains.Storage.Blobs;

/// <summary>
/// Reusable buffers whose memory address is a multiple of <see cref="DirectIo.Alignment"/>, as direct I/O requires.
/// Each is a slice of an array on the pinned object heap (never moved by the GC), so no unsafe code is needed.
/// Reuse matters beyond allocation cost: a buffer already touched stays backed by memory, a fresh one is faulted in.
/// </summary>
internal sealed class AlignedBufferPool
{
    private readonly ConcurrentBag<byte[]> _free = [];
    private readonly int _maxRetained;
    private int _retained;

    /// <summary>Creates a pool of buffers of <paramref name="bufferSize"/> bytes (a multiple of the alignment).</summary>
    public AlignedBufferPool(int bufferSize, int maxRetained)
    {
        if (bufferSize <= 0 || bufferSize % DirectIo.Alignment != 0)
        {
            throw new ArgumentOutOfRangeException(nameof(bufferSize), bufferSize, $"expected a positive multiple of {DirectIo.Alignment}");
        }

        BufferSize = bufferSize;
        _maxRetained = maxRetained;
    }

    /// <summary>Usable bytes of every buffer.</summary>
    public int BufferSize { get; }

    /// <summary>An aligned buffer of <see cref="BufferSize"/> bytes; give its array back with <see cref="Return"/>.</summary>
    public byte[] Rent()
    {
        if (_free.TryTake(out var array))
        {
            Interlocked.Decrement(ref _retained);
            return array;
        }

        return GC.AllocateUninitializedArray<byte>(BufferSize + DirectIo.Alignment, pinned: true);
    }

    /// <summary>The aligned window of a rented array.</summary>
    public Memory<byte> Window(byte[] array) => array.AsMemory(AlignedOffset(array), BufferSize);

    /// <summary>Takes a rented array back (kept for reuse up to the retention limit).</summary>
    public void Return(byte[] array)
    {
        if (Interlocked.Increment(ref _retained) <= _maxRetained)
        {
            _free.Add(array);
        }
        else
        {
            Interlocked.Decrement(ref _retained);
        }
    }

    private static int AlignedOffset(byte[] array)
    {
        var address = (long)Marshal.UnsafeAddrOfPinnedArrayElement(array, 0);
        return (int)((DirectIo.Alignment - (address % DirectIo.Alignment)) % DirectIo.Alignment);
    }
}
