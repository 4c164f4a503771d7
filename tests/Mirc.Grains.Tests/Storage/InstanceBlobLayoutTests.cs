using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using Mirc.Grains.Storage.Blobs;
using Xunit;

namespace Mirc.Grains.Tests.Storage;

public sealed class InstanceBlobLayoutTests
{
    [Fact]
    public void Instance_key_is_sharded_and_foldered_by_the_sop_instance_uid_hash()
    {
        var layout = new InstanceBlobLayout("mirc", 16);
        const string sop = "1.2.826.0.1.3680043.8.498.12345";
        var hash = SHA256.HashData(Encoding.ASCII.GetBytes(sop));
        var expectedShard = (int)(BinaryPrimitives.ReadUInt32BigEndian(hash) % 16);

        var key = layout.GetInstanceKey("1.2.3", "1.2.3.4", sop);

        Assert.Equal(expectedShard, layout.GetShard(sop));
        Assert.Equal($"mirc-instances-{expectedShard:D2}", key.Container);
        Assert.Equal($"{hash[4]:x2}/1.2.3_{sop}.dcm", key.Name);
    }

    [Fact]
    public void New_studies_and_series_share_a_fixed_set_of_folders()
    {
        // 3,000 one-instance studies, each of its own series: no folder per study or series (they would cost a mkdir, an
        // inode and a directory block each), at most 256 folders per shard.
        var layout = new InstanceBlobLayout("mirc", 2);
        var keys = Enumerable.Range(1, 3_000).Select(i => layout.GetInstanceKey($"2.25.{i}", $"2.25.{i}.1", $"2.25.{i}.1.1")).ToList();
        var folders = keys.Select(k => (k.Container, Folder: k.Name[..k.Name.IndexOf('/')])).ToHashSet();

        Assert.All(keys, k => Assert.Equal(2, k.Name.Split('/').Length));
        Assert.InRange(folders.Count, 400, 2 * 256);
        Assert.All(folders, f => Assert.Matches("^[0-9a-f]{2}$", f.Folder));
    }

    [Theory]
    [InlineData("3f/1.2.3_1.2.3.4.5.dcm", "1.2.3")]
    [InlineData("3f/1.2.3_1.2.3.4.5.0123456789abcdef.dcm", "1.2.3")]
    [InlineData("1.2.3/1.2.3.4/1.2.3.4.5.dcm", "1.2.3")]
    [InlineData("1.2.3/1.2.3.4/1.2.3.4.5.0123456789abcdef.dcm", "1.2.3")]
    [InlineData("3F/1.2.3_1.2.3.4.5.dcm", null)]
    [InlineData("3f/1.2.3_1.2.3.4.5.tmp", null)]
    [InlineData("3f/_1.2.3.4.5.dcm", null)]
    [InlineData("3f/1..2_1.2.3.4.5.dcm", null)]
    [InlineData("journal/s1-0000.json", null)]
    [InlineData("1.2.3/x/1.2.3.4.5.dcm", null)]
    public void The_study_is_read_from_an_instance_name_in_either_layout(string name, string? study)
    {
        Assert.Equal(study, InstanceBlobLayout.StudyUidOf(name));
    }

    [Fact]
    public void Keys_of_new_instances_and_their_replacements_name_their_study()
    {
        var layout = new InstanceBlobLayout("mirc", 16);
        var key = layout.GetInstanceKey("1.2.840.99.1", "1.2.840.99.1.2", "1.2.840.99.1.2.3");
        var replacement = layout.GetReplacementKey("1.2.840.99.1", "1.2.840.99.1.2", "1.2.840.99.1.2.3", "xxh128:0123456789abcdef0123456789abcdef");

        Assert.Equal("1.2.840.99.1", InstanceBlobLayout.StudyUidOf(key.Name));
        Assert.Equal("1.2.840.99.1", InstanceBlobLayout.StudyUidOf(replacement.Name));
        Assert.Equal(key.Container, replacement.Container);
        Assert.Equal(key.Name[..^4] + ".0123456789abcdef.dcm", replacement.Name);
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
