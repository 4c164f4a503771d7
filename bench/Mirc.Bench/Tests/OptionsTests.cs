using Mirc.Bench.Cli;
using Xunit;

namespace Mirc.Bench.Tests;

public sealed class OptionsTests
{
    [Fact]
    public void Parses_target_and_load_options()
    {
        var o = BenchOptionsParser.Parse([
            "--dicom-host", "10.0.0.5", "--dicom-port", "4242", "--called-ae", "ORTHANC", "--calling-ae", "ME",
            "--dicomweb-url", "http://127.0.0.1:8042/dicom-web/", "--bearer", "tok", "--associations", "8",
            "--scaling", "1,4", "--stow-batch", "25", "--ct-slices", "12", "--out", "/tmp/x",
        ]);

        Assert.Equal("10.0.0.5", o.DicomHost);
        Assert.Equal(4242, o.DicomPort);
        Assert.Equal("ORTHANC", o.CalledAe);
        Assert.Equal("ME", o.CallingAe);
        Assert.Equal("http://127.0.0.1:8042/dicom-web", o.DicomWebUrl!.ToString());
        Assert.Equal("tok", o.Bearer);
        Assert.Equal(8, o.Associations);
        Assert.Equal([1, 4], o.Scaling);
        Assert.Equal(25, o.StowBatch);
        Assert.Equal(12, o.CtSlices);
        Assert.True(o.Dimse);
        Assert.True(o.DicomWeb);
    }

    [Fact]
    public void Without_a_dicomweb_url_only_dimse_runs()
    {
        var o = BenchOptionsParser.Parse(["--scaling", "none"]);

        Assert.True(o.Dimse);
        Assert.False(o.DicomWeb);
        Assert.Empty(o.Scaling);
    }

    [Theory]
    [InlineData("--called-ae", "THIS_AE_TITLE_IS_TOO_LONG")]
    [InlineData("--associations", "0")]
    [InlineData("--dicomweb-url", "ftp://x")]
    [InlineData("--only", "dimsee")]
    [InlineData("--frobnicate", "1")]
    public void Rejects_bad_values(string name, string value) =>
        Assert.Throws<ArgumentException>(() => BenchOptionsParser.Parse([name, value]));

    [Fact]
    public void One_instance_studies_are_on_unless_refused()
    {
        Assert.Equal(1000, BenchOptionsParser.Parse([]).SmallStudies);
        Assert.Equal(0, BenchOptionsParser.Parse(["--small-studies", "0"]).SmallStudies);
        Assert.Throws<ArgumentException>(() => BenchOptionsParser.Parse(["--small-studies", "-1"]));
    }

    [Fact]
    public void Single_instance_retrievals_are_repeated_apart_from_other_small_requests()
    {
        Assert.Equal(300, BenchOptionsParser.Parse([]).InstanceRepeat);
        var o = BenchOptionsParser.Parse(["--instance-repeat", "500", "--small-repeat", "7"]);
        Assert.Equal(500, o.InstanceRepeat);
        Assert.Equal(7, o.SmallRepeat);
        Assert.Throws<ArgumentException>(() => BenchOptionsParser.Parse(["--instance-repeat", "0"]));
    }

    [Fact]
    public void Fifty_concurrent_clients_unless_told_otherwise()
    {
        Assert.Equal(50, BenchOptionsParser.Parse([]).Clients);
        Assert.Equal(0, BenchOptionsParser.Parse(["--clients", "0"]).Clients);
        Assert.Throws<ArgumentException>(() => BenchOptionsParser.Parse(["--clients", "-5"]));
    }

    [Fact]
    public void The_warm_up_is_on_unless_refused()
    {
        Assert.Equal(5, BenchOptionsParser.Parse([]).WarmUpRounds);
        Assert.Equal(2, BenchOptionsParser.Parse(["--warm-up-rounds", "2"]).WarmUpRounds);
        Assert.False(BenchOptionsParser.Parse(["--no-warm-up"]).WarmUp);
        Assert.False(BenchOptionsParser.Parse(["--warm-up-rounds", "0"]).WarmUp);
    }

    [Fact]
    public void Nothing_to_do_is_an_error() =>
        Assert.Throws<ArgumentException>(() => BenchOptionsParser.Parse(["--dicom-port", "0"]));
}
