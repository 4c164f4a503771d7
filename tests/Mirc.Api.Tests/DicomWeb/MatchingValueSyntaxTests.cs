using Mirc.Api.DicomWeb.Qido;
using Xunit;

namespace Mirc.Api.Tests.DicomWeb;

public sealed class MatchingValueSyntaxTests
{
    [Theory]
    [InlineData("DA", "20200131")]
    [InlineData("DA", "20200101-20201231")]
    [InlineData("DA", "-20201231")]
    [InlineData("DA", "20200101-")]
    [InlineData("DA", "")]
    [InlineData("DA", "*")]
    [InlineData("TM", "1230")]
    [InlineData("TM", "083000-120000.5")]
    [InlineData("DT", "20200101120000-0500")]
    [InlineData("DT", "2020-2021")]
    [InlineData("UI", "1.2.3\\1.2.840.10008.5.1.4.1.1.2")]
    [InlineData("PN", "DOE^J*")]
    public void Accepts_well_formed_values(string vr, string value) => Assert.Null(MatchingValueSyntax.Validate(vr, value));

    [Theory]
    [InlineData("DA", "2020013", "not a date")]
    [InlineData("DA", "20201301", "not a date")]
    [InlineData("DA", "2020*", "not a date")]
    [InlineData("DA", "20201231-20200101", "after range end")]
    [InlineData("DA", "-", "empty range")]
    [InlineData("DA", "20200101-2020XX01", "range end")]
    [InlineData("TM", "2500", "not a time")]
    [InlineData("UI", "1.2.*", "not a UID")]
    public void Rejects_malformed_values_with_a_reason(string vr, string value, string reason)
    {
        var problem = MatchingValueSyntax.Validate(vr, value);
        Assert.NotNull(problem);
        Assert.Contains(reason, problem);
    }
}
