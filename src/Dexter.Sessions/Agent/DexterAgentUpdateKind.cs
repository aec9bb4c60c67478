namespace Dexter.Sessions;

/// <summary>What a <see cref="DexterAgentUpdate"/> carries.</summary>
public enum DexterAgentUpdateKind
{
    /// <summary>Text the model has just produced.</summary>
    Token,

    /// <summary>The run finished and the turn was recorded; <see cref="DexterAgentUpdate.Turn"/> holds it. Always the last update.</summary>
    Completed,
}
