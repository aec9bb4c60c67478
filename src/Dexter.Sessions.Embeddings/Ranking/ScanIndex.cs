namespace Dexter.Sessions.Embeddings;

/// <summary>
/// What a scan needs to know about the vectors of one session's candidate turns, computed once per vector and kept
/// between queries: each vector's inverse norm (1 for the unit vectors stored since normalization, another value for
/// vectors stored before), and, for a quantized scan, its int8 codes, scale and quantization error in one contiguous
/// block, so the first pass reads a quarter of the bytes of the float vectors, in order.
/// </summary>
/// <remarks>
/// <para>Rows are keyed by the vector itself: a row describes a turn while the turn's <see cref="Message.Embedding"/> is the
/// same memory (same array, offset and length) as the row's source. <see cref="Prepare"/> finds where the candidates
/// start among the rows, keeps the rows that still match, and recomputes the rest, so a query after a new turn computes
/// one row, and a store that decodes fresh arrays on every read gets every row recomputed (correct, but no faster).
/// Vectors are treated as immutable, as <see cref="ReadOnlyMemory{T}"/> says.</para>
/// <para>Not thread-safe: the caller locks the index for <see cref="Prepare"/> and the scan that reads it.</para>
/// </remarks>
internal sealed class ScanIndex
{
    private ReadOnlyMemory<float>[] _sources = [];
    private float[] _inverseNorms = [];
    private float[] _scales = [];
    private float[] _errors = [];
    private sbyte[] _codes = [];
    private int _count;
    private int _lastStart;

    /// <summary>Initializes an empty index.</summary>
    /// <param name="quantized">Whether rows carry int8 codes for a quantized scan.</param>
    public ScanIndex(bool quantized) => Quantized = quantized;

    /// <summary>Gets whether rows carry int8 codes.</summary>
    public bool Quantized { get; }

    /// <summary>Gets the dimensions of the indexed vectors; rows of turns whose vector has another length are unscored.</summary>
    public int Dimensions { get; private set; }

    /// <summary>Gets the number of rows computed by the last <see cref="Prepare"/>.</summary>
    public int LastComputed { get; private set; }

    /// <summary>Gets the vector each row was computed from.</summary>
    public ReadOnlySpan<ReadOnlyMemory<float>> Sources => _sources.AsSpan(0, _count);

    /// <summary>Gets each row's inverse norm: 1 for a unit vector, NaN for a zero vector or one of another length.</summary>
    public ReadOnlySpan<float> InverseNorms => _inverseNorms.AsSpan(0, _count);

    /// <summary>Gets each row's quantization scale (NaN when the row cannot be scored).</summary>
    public ReadOnlySpan<float> Scales => _scales.AsSpan(0, _count);

    /// <summary>Gets each row's quantization error, the L2 norm of the unit vector minus its dequantized codes.</summary>
    public ReadOnlySpan<float> Errors => _errors.AsSpan(0, _count);

    /// <summary>Gets the int8 codes of the rows, <see cref="Dimensions"/> per row.</summary>
    public ReadOnlySpan<sbyte> Codes => _codes.AsSpan(0, _count * Dimensions);

    /// <summary>Makes rows <c>[start, start + turns.Count)</c> describe <paramref name="turns"/>, computing only the rows that do not match.</summary>
    /// <param name="turns">The candidate turns, in chronological order.</param>
    /// <param name="dimensions">The query's dimensions.</param>
    /// <returns>The row of the first turn.</returns>
    public int Prepare(IReadOnlyList<Message> turns, int dimensions)
    {
        if (dimensions != Dimensions)
        {
            _count = 0;
            _lastStart = 0;
            Dimensions = dimensions;
        }

        var n = turns.Count;
        var start = n == 0 ? _count : FindStart(turns[0].Embedding);
        var matched = 0;
        while (matched < n && start + matched < _count && turns[matched].Embedding.Equals(_sources[start + matched]))
        {
            matched++;
        }

        if (start + n > _sources.Length)
        {
            start = Compact(start, matched, n);
        }

        _count = start + n;
        _lastStart = start;
        for (var i = matched; i < n; i++)
        {
            ComputeRow(start + i, turns[i].Embedding);
        }

        LastComputed = n - matched;
        return start;
    }

    /// <summary>
    /// Makes rows <c>[start, start + turns.Count)</c> available for <paramref name="turns"/>, keeping the rows already there
    /// without checking them: the scan checks each row as it reads the turn (<see cref="InverseNormOf"/>), which saves a
    /// pass over the turns.
    /// </summary>
    /// <returns>The row of the first turn.</returns>
    public int Reserve(IReadOnlyList<Message> turns, int dimensions)
    {
        if (dimensions != Dimensions)
        {
            _count = 0;
            _lastStart = 0;
            Dimensions = dimensions;
        }

        var n = turns.Count;
        var start = n == 0 ? _count : FindStart(turns[0].Embedding);
        if (start + n > _sources.Length)
        {
            start = Compact(start, Math.Clamp(_count - start, 0, n), n);
        }

        _count = start + n;
        _lastStart = start;
        LastComputed = 0;
        return start;
    }

    /// <summary>Returns the inverse norm of <paramref name="vector"/> (of the index's dimensions) from <paramref name="row"/>, computing the row (and its codes) when it describes another vector.</summary>
    public float InverseNormOf(int row, ReadOnlyMemory<float> vector)
    {
        if (!_sources[row].Equals(vector))
        {
            ComputeRow(row, vector);
            LastComputed++;
        }

        return _inverseNorms[row];
    }

    private int FindStart(ReadOnlyMemory<float> first)
    {
        // Most queries follow a new turn: the candidates start where they did, or a few rows later.
        for (var row = _lastStart; row < _count; row++)
        {
            if (_sources[row].Equals(first))
            {
                return row;
            }
        }

        for (var row = 0; row < Math.Min(_lastStart, _count); row++)
        {
            if (_sources[row].Equals(first))
            {
                return row;
            }
        }

        return _count;
    }

    /// <summary>Moves the matched rows to the front, growing the arrays when <paramref name="n"/> rows do not fit.</summary>
    /// <returns>The new start, 0.</returns>
    private int Compact(int start, int matched, int n)
    {
        var capacity = Math.Max(_sources.Length, n + (n / 4) + 16);
        var sources = capacity == _sources.Length ? _sources : new ReadOnlyMemory<float>[capacity];
        var inverseNorms = capacity == _inverseNorms.Length ? _inverseNorms : new float[capacity];
        Array.Copy(_sources, start, sources, 0, matched);
        Array.Copy(_inverseNorms, start, inverseNorms, 0, matched);
        if (Quantized)
        {
            var scales = capacity == _scales.Length ? _scales : new float[capacity];
            var errors = capacity == _errors.Length ? _errors : new float[capacity];
            var codes = capacity * Dimensions == _codes.Length ? _codes : new sbyte[capacity * Dimensions];
            Array.Copy(_scales, start, scales, 0, matched);
            Array.Copy(_errors, start, errors, 0, matched);
            Array.Copy(_codes, start * Dimensions, codes, 0, matched * Dimensions);
            (_scales, _errors, _codes) = (scales, errors, codes);
        }

        // Rows past the matched ones no longer hold vectors of the session's turns.
        Array.Clear(sources, matched, capacity - matched);
        (_sources, _inverseNorms) = (sources, inverseNorms);
        return 0;
    }

    private void ComputeRow(int row, ReadOnlyMemory<float> vector)
    {
        _sources[row] = vector;
        var usable = vector.Length == Dimensions;
        var inverseNorm = usable ? UnitVectors.GetInverseNorm(vector.Span) : float.NaN;
        _inverseNorms[row] = inverseNorm;
        if (!Quantized)
        {
            return;
        }

        var codes = _codes.AsSpan(row * Dimensions, Dimensions);
        if (!usable || float.IsNaN(inverseNorm))
        {
            codes.Clear();
            (_scales[row], _errors[row]) = (float.NaN, 0f);
            return;
        }

        (_scales[row], _errors[row]) = Int8Vectors.Quantize(vector.Span, inverseNorm, codes);
    }
}
