using System.Buffers;
using System.Text.Json;
using BenchmarkDotNet.Attributes;
using Mirc.Dicom;

namespace Mirc.Bench.Micro;

/// <summary>DICOM JSON serialization of a CT slice header (pixel data as BulkDataURI).</summary>
[MemoryDiagnoser]
public class JsonSerializationBenchmarks
{
    private readonly ArrayBufferWriter<byte> buffer = new(64 * 1024);
    private DicomDataset header = new();
    private DicomJsonOptions options = DicomJsonOptions.Default;

    /// <summary>Parses the synthesized CT slice.</summary>
    [GlobalSetup]
    public void Setup()
    {
        header = DicomFileReader.Read(DicomFileWriter.Write(new DicomFile(SyntheticInstances.CtSlice()))).Dataset;
        options = new DicomJsonOptions { BulkDataUriResolver = (e, _) => "https://archive/bulk/" + e.Tag.ToHexString() };
    }

    /// <summary>Writes the data set as DICOM JSON.</summary>
    [Benchmark]
    public int CtSliceToJson()
    {
        buffer.ResetWrittenCount();
        using var writer = new Utf8JsonWriter(buffer);
        DicomJson.Write(writer, header, options);
        writer.Flush();
        return buffer.WrittenCount;
    }
}
