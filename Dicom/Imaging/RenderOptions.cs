namespace Mirc.Dicom.Imaging;

/// <summary>The VOI LUT function of a window (PS3.3 C.11.2.1.2).</summary>
public enum WindowFunction
{
    /// <summary>LINEAR (the default).</summary>
    Linear,
    /// <summary>LINEAR_EXACT.</summary>
    LinearExact,
    /// <summary>SIGMOID.</summary>
    Sigmoid,
}

/// <summary>A VOI window: centre and width in modality units (after rescale).</summary>
public readonly record struct VoiWindow(double Center, double Width, WindowFunction Function = WindowFunction.Linear);

/// <summary>How to render a frame for display.</summary>
public sealed record RenderOptions
{
    /// <summary>Window to apply; null = the data set's first window, else the frame's value range.</summary>
    public VoiWindow? Window { get; init; }

    /// <summary>Largest output width; null = the frame's. The aspect ratio is kept.</summary>
    public int? MaxWidth { get; init; }

    /// <summary>Largest output height; null = the frame's.</summary>
    public int? MaxHeight { get; init; }
}
