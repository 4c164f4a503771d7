using Mirc.Api.Management.Establishments;
using Mirc.Grains.Interfaces.Establishments;
using Xunit;

namespace Mirc.Api.Tests.Management;

/// <summary>An AE title's port: 0 means "none" for a device that only calls the archive, never for a destination.</summary>
public sealed class AeTitleRequestTests
{
    [Theory]
    [InlineData(0, new[] { AePermissions.Store }, true)] // a modality that only sends, as the seed registers them
    [InlineData(0, new[] { AePermissions.Query, AePermissions.Retrieve }, true)]
    [InlineData(0, new[] { AePermissions.MoveDestination }, false)] // the archive would have nowhere to connect
    [InlineData(0, new AePermissions[0], false)] // no permission given means all of them, destination included
    [InlineData(104, new[] { AePermissions.MoveDestination }, true)]
    [InlineData(-1, new[] { AePermissions.Store }, false)]
    [InlineData(65536, new[] { AePermissions.Store }, false)]
    public void Port_zero_is_only_for_a_device_never_sent_studies(int port, AePermissions[] permissions, bool valid)
    {
        var errors = new AeTitleRequest("127.0.0.1", port, permissions).Validate();
        Assert.Equal(valid, errors.IsEmpty);
        if (!valid) Assert.Contains("Port", errors.ToDictionary().Keys);
    }
}
