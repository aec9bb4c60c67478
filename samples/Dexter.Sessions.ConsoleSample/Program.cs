Console.WriteLine("Dexter.Sessions console sample");
