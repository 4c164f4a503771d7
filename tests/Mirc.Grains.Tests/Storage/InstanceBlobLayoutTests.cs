using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using Mirc.Grains.Storage.Blobs;
using Xunit;

namespace Mirc.Grains.Tests.Storage;

public sealed class InstanceBlobLayoutTests
{
    [Fact]
    public void Instance_key_is_sharded_by_the_sop_instance_uid_hash()
    {
        var layout = new InstanceBlobLayout("mirc", 16);
        const string sop = "1.2.826.0.1.3680043.8.498.12345";
        var expectedShard = (int)(BinaryPrimitives.ReadUInt32BigEndian(SHA256.HashData(Encoding.ASCII.GetBytes(sop))) % 16);

        var key = layout.GetInstanceKey("1.2.3", "1.2.3.4", sop);

        Assert.Equal(expectedShard, layout.GetShard(sop));
        Assert.Equal($"mirc-instances-{expectedShard:D2}", key.Container);
        Assert.Equal($"1.2.3/1.2.3.4/{sop}.dcm", key.Name);
    }

    [Fact]
    public void Instances_of_one_series_spread_over_all_shards()
    {
        var layout = new InstanceBlobLayout("mirc", 8);
        var used = Enumerable.Range(1, 400).Select(i => layout.GetInstanceKey("1.2", "1.2.3", $"1.2.3.{i}").Container).ToHashSet();
        Assert.Equal(layout.InstanceContainers.ToHashSet(), used);
    }

    [Fact]
    public void Container_names_are_valid_for_azure_and_padded_to_the_shard_count()
    {
        var layout = new InstanceBlobLayout("mirc", 200);
        Assert.Equal("mirc-instances-000", layout.InstanceContainers[0]);
        Assert.Equal("mirc-instances-199", layout.InstanceContainers[199]);
        Assert.Equal("mirc-grainstate", layout.GrainStateContainer);
        Assert.StartsWith("mirc-staging", layout.NewStagingKey().Container);
    }

    [Theory]
    [InlineData("1.2.3", true)]
    [InlineData("1.2.840.10008.5.1.4.1.1.2", true)]
    [InlineData("", false)]
    [InlineData("1..2", false)]
    [InlineData(".1.2", false)]
    [InlineData("1.2.", false)]
    [InlineData("1.2/../3", false)]
    [InlineData("1.2.3a", false)]
    [InlineData("1.22222222222222222222222222222222222222222222222222222222222222222", false)]
    public void Uid_validation(string uid, bool valid)
    {
        Assert.Equal(valid, InstanceBlobLayout.IsValidUid(uid));
        if (!valid)
        {
            Assert.Throws<ArgumentException>(() => new InstanceBlobLayout("mirc", 4).GetInstanceKey("1.2", "1.2.3", uid));
        }
    }
}
