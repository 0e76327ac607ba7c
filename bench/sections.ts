// The benchmark sections `bench/run.ts` runs, in order. Each returns figures under stable JSON keys.
export interface BenchFigure {
  key: string;
  value: number;
  target?: string;
  note?: string;
}

export interface BenchSection {
  name: string;
  run(): Promise<BenchFigure[]>;
}

export const sections: BenchSection[] = [];
