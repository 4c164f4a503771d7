using Mirc.Api.DicomWeb.Wado;
using Xunit;

namespace Mirc.Api.Tests.DicomWeb;

public sealed class FrameListTests
{
    [Fact]
    public void Parses_numbers_in_request_order() => Assert.Equal([3, 1, 2], FrameList.TryParse("3, 1,2", out _));

    [Theory]
    [InlineData("")]
    [InlineData("0")]
    [InlineData("1,,2")]
    [InlineData("1,a")]
    [InlineData("-1")]
    public void Rejects_malformed_lists(string value)
    {
        Assert.Null(FrameList.TryParse(value, out var error));
        Assert.NotNull(error);
    }
}
