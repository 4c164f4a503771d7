using Mirc.Testing;
using Xunit;

namespace Mirc.Grains.Tests.Replication;

/// <summary>Two independent Azurite servers: the first and the second site's storage accounts.</summary>
public sealed class TwoAzurites : IAsyncLifetime
{
    public AzuriteFixture First { get; } = new();

    public AzuriteFixture Second { get; } = new();

    public async ValueTask InitializeAsync()
    {
        await Task.WhenAll(First.InitializeAsync().AsTask(), Second.InitializeAsync().AsTask());
    }

    public async ValueTask DisposeAsync()
    {
        await First.DisposeAsync();
        await Second.DisposeAsync();
    }
}
