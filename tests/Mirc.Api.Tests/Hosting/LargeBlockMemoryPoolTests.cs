using System.Reflection;
using System.Runtime.InteropServices;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Server.Kestrel.Transport.Sockets;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Mirc.Api.Transport;
using Xunit;

namespace Mirc.Api.Tests.Hosting;

/// <summary>
/// Kestrel's connections buffer in 64 KB blocks (a 512 KB STOW-RS part crosses in 8 reads, not 128): the silo's web
/// host hands the socket transport our pool, whose blocks are reused up to a bound and never smaller than asked.
/// </summary>
public sealed class LargeBlockMemoryPoolTests
{
    [Fact]
    public void The_silos_socket_transport_takes_its_buffers_from_the_large_block_pool()
    {
        using var host = new ApiHost();
        Assert.IsType<LargeBlockMemoryPoolFactory>(host.Services.GetRequiredService<IMemoryPoolFactory<byte>>());
        // The transport reads the factory from its options (set from the container by UseSockets); not public API.
        var property = typeof(SocketTransportOptions).GetProperty("MemoryPoolFactory", BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic);
        Assert.NotNull(property);
        Assert.IsType<LargeBlockMemoryPoolFactory>(property.GetValue(host.Services.GetRequiredService<IOptions<SocketTransportOptions>>().Value));
    }

    [Fact]
    public void Blocks_are_64_KB_reused_once_returned_and_retained_up_to_the_bound()
    {
        using var pool = new LargeBlockMemoryPoolFactory().Create(new MemoryPoolOptions());
        Assert.Equal(LargeBlockMemoryPool.BlockSize, pool.MaxBufferSize);
        Assert.Throws<ArgumentOutOfRangeException>(() => pool.Rent(LargeBlockMemoryPool.BlockSize + 1));

        var first = pool.Rent(4096);
        Assert.Equal(LargeBlockMemoryPool.BlockSize, first.Memory.Length);
        var array = MemoryMarshal.TryGetArray<byte>(first.Memory, out var segment) ? segment.Array : null;
        first.Dispose();
        first.Dispose(); // a second dispose must not return the block twice
        Assert.Throws<ObjectDisposedException>(() => first.Memory);
        var second = pool.Rent();
        var third = pool.Rent();
        Assert.True(MemoryMarshal.TryGetArray<byte>(second.Memory, out var reused));
        Assert.Same(array, reused.Array);
        Assert.True(MemoryMarshal.TryGetArray<byte>(third.Memory, out var fresh));
        Assert.NotSame(array, fresh.Array);

        // Beyond the bound, returned blocks are left to the collector: renting them all again allocates the excess anew.
        var many = Enumerable.Range(0, LargeBlockMemoryPool.MaxRetained + 10).Select(_ => pool.Rent()).ToList();
        var arrays = many.Select(b => MemoryMarshal.TryGetArray<byte>(b.Memory, out var s) ? s.Array : null).ToHashSet();
        many.ForEach(b => b.Dispose());
        var again = Enumerable.Range(0, LargeBlockMemoryPool.MaxRetained + 10).Select(_ => pool.Rent()).ToList();
        var reusedCount = again.Count(b => MemoryMarshal.TryGetArray<byte>(b.Memory, out var s) && arrays.Contains(s.Array));
        Assert.Equal(LargeBlockMemoryPool.MaxRetained, reusedCount);
        again.ForEach(b => b.Dispose());
        second.Dispose();
        third.Dispose();
    }
}
