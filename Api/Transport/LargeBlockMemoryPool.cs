using System.Buffers;
using System.Collections.Concurrent;
using System.Runtime.InteropServices;
using Microsoft.AspNetCore.Connections;

namespace Mirc.Api.Transport;

/// <summary>
/// Kestrel's connection buffers in 64 KB blocks instead of its default 4 KB ones. A connection's pipe is filled one block
/// at a time, one <c>recv</c> per block: a 512 KB instance posted by STOW-RS took 128 system calls and as many pipe
/// segments to cross (11 % of the silo's CPU during STOW-RS ingest), now 8. Blocks are pinned (pinned object heap), as
/// Kestrel's own are, so socket I/O never pins; at most <see cref="LargeBlockMemoryPool.MaxRetained"/> free blocks are
/// kept for reuse, the rest are left to the collector, so an idle silo holds at most 16 MB here.
/// </summary>
internal sealed class LargeBlockMemoryPoolFactory : IMemoryPoolFactory<byte>
{
    /// <inheritdoc />
    public MemoryPool<byte> Create(MemoryPoolOptions? options = null) => new LargeBlockMemoryPool();
}

/// <summary>The pool behind <see cref="LargeBlockMemoryPoolFactory"/>.</summary>
internal sealed class LargeBlockMemoryPool : MemoryPool<byte>
{
    /// <summary>Size of every block handed out.</summary>
    public const int BlockSize = 64 * 1024;

    /// <summary>Free blocks kept for reuse.</summary>
    public const int MaxRetained = 256;

    private readonly ConcurrentQueue<byte[]> _free = new();
    private int _retained;
    private bool _disposed;

    /// <inheritdoc />
    public override int MaxBufferSize => BlockSize;

    /// <inheritdoc />
    public override IMemoryOwner<byte> Rent(int minBufferSize = -1)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(minBufferSize, BlockSize);
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_free.TryDequeue(out var array))
        {
            Interlocked.Decrement(ref _retained);
        }
        else
        {
            array = GC.AllocateUninitializedArray<byte>(BlockSize, pinned: true);
        }

        return new Block(this, array);
    }

    private void Return(byte[] array)
    {
        if (!_disposed && Interlocked.Increment(ref _retained) <= MaxRetained)
        {
            _free.Enqueue(array);
        }
        else
        {
            Interlocked.Decrement(ref _retained);
        }
    }

    /// <inheritdoc />
    protected override void Dispose(bool disposing)
    {
        _disposed = true;
        _free.Clear();
    }

    private sealed class Block(LargeBlockMemoryPool pool, byte[] array) : IMemoryOwner<byte>
    {
        private byte[]? _array = array;

        // The array lives on the pinned object heap: its Memory pins for free.
        public Memory<byte> Memory => MemoryMarshal.CreateFromPinnedArray(_array ?? throw new ObjectDisposedException(nameof(Block)), 0, BlockSize);

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _array, null) is { } returned)
            {
                pool.Return(returned);
            }
        }
    }
}
