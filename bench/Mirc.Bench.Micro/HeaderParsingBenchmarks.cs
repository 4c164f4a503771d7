using BenchmarkDotNet.Attributes;
using Mirc.Dicom;

namespace Mirc.Bench.Micro;

/// <summary>Header parsing (stop at Pixel Data) of a CT slice and of a 1000-frame instance, from a stream.</summary>
[MemoryDiagnoser]
public class HeaderParsingBenchmarks
{
    private byte[] ctSlice = [];
    private byte[] multiFrame = [];

    /// <summary>Synthesizes the inputs with our writer.</summary>
    [GlobalSetup]
    public void Setup()
    {
        ctSlice = DicomFileWriter.Write(new DicomFile(SyntheticInstances.CtSlice()));
        multiFrame = DicomFileWriter.Write(new DicomFile(SyntheticInstances.MultiFrame()));
    }

    /// <summary>CT slice header from a (seekable) memory stream.</summary>
    [Benchmark]
    public async Task<int> CtSliceHeader()
    {
        using var stream = new MemoryStream(ctSlice, writable: false);
        var file = await DicomFileReader.ReadAsync(stream, DicomReadOptions.HeaderOnly);
        return file.Dataset.Count + (int)file.PixelData!.ValueOffset;
    }

    /// <summary>CT slice header from bytes already in memory.</summary>
    [Benchmark]
    public int CtSliceHeaderInMemory()
    {
        var file = DicomFileReader.Read(ctSlice, DicomReadOptions.HeaderOnly);
        return file.Dataset.Count;
    }

    /// <summary>1000-frame instance header (per-frame functional groups) and frame 999's range.</summary>
    [Benchmark]
    public async Task<long> MultiFrameHeader()
    {
        using var stream = new MemoryStream(multiFrame, writable: false);
        var file = await DicomFileReader.ReadAsync(stream, DicomReadOptions.HeaderOnly);
        return file.PixelData!.GetFrameRange(999)[0].Offset;
    }
}
