using System.Text.Json;
using Mirc.Api.DicomWeb.Stow;
using Xunit;

namespace Mirc.Api.Tests.DicomWeb;

public sealed class StoreResponseTests
{
    [Fact]
    public void Status_follows_ps318_rules()
    {
        var response = new StoreResponse();
        response.Stored.Add(new StoredInstance("1.2", "1.2.3", "http://h/x"));
        Assert.Equal(200, response.StatusCode);
        response.Failed.Add(new FailedInstance(null, null, StoreFailureReasons.CannotUnderstand, "bad"));
        Assert.Equal(202, response.StatusCode);
        response.Stored.Clear();
        Assert.Equal(409, response.StatusCode);
    }

    [Fact]
    public void Json_lists_referenced_and_failed_sequences()
    {
        var response = new StoreResponse { StudyRetrieveUrl = "http://h/dicomweb/studies/1.2" };
        response.Stored.Add(new StoredInstance("1.2.840.10008.5.1.4.1.1.2", "1.2.3", "http://h/i", StoreFailureReasons.CoercionOfDataElements));
        response.Failed.Add(new FailedInstance("1.2.840.10008.5.1.4.1.1.2", "1.2.4", StoreFailureReasons.DuplicateSopInstance, "dup"));
        var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer)) StoreResponseJsonWriter.Write(writer, response);

        using var json = JsonDocument.Parse(buffer.ToArray());
        var root = json.RootElement;
        Assert.Equal("http://h/dicomweb/studies/1.2", root.GetProperty("00081190").GetProperty("Value")[0].GetString());
        var referenced = root.GetProperty("00081199");
        Assert.Equal("SQ", referenced.GetProperty("vr").GetString());
        var item = referenced.GetProperty("Value")[0];
        Assert.Equal("1.2.3", item.GetProperty("00081155").GetProperty("Value")[0].GetString());
        Assert.Equal("http://h/i", item.GetProperty("00081190").GetProperty("Value")[0].GetString());
        Assert.Equal(0xB000, item.GetProperty("00081196").GetProperty("Value")[0].GetInt32());
        var failed = root.GetProperty("00081198").GetProperty("Value")[0];
        Assert.Equal(0x0111, failed.GetProperty("00081197").GetProperty("Value")[0].GetInt32());
        Assert.Equal("US", failed.GetProperty("00081197").GetProperty("vr").GetString());
    }
}
